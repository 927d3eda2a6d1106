// Runs the reference atproto PDS and an in-memory PLC directory on loopback, for atpin's tests.
//
//   node start.mjs --modules DIR --port PORT --plc-port PORT --data-dir DIR
//
// Started by scripts/pds.sh, which installs the dependencies into a cache outside the repo and
// passes their node_modules as --modules (this file stays in the repo, so its imports are
// resolved from that directory instead of from next to it).
//
// When both servers answer it prints ONE JSON line on stdout:
//   {"pdsUrl":"http://localhost:PORT","plcUrl":"http://127.0.0.1:PORT","adminPassword":"…"}
// plus "demo":{"did","handle","password"} when ATPIN_PDS_DEMO_ACCOUNT=<local part> is set.
// With ATPIN_PDS_PLC_URL=<url> no PLC is started (--plc-port is ignored): the PDS registers its DIDs in
// that directory, e.g. another launcher's, so a second PDS can be stopped and started again on the same
// data dir without losing its accounts' DIDs (the in-memory PLC would lose them).
// Anything else goes to stderr. SIGTERM or SIGINT stops both servers and exits 0.
//
// Secrets (JWT secret, admin password, PLC rotation key) are generated at every start and live
// only in this process: the data dir is throwaway.
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    modules: { type: 'string' },
    port: { type: 'string' },
    'plc-port': { type: 'string' },
    'data-dir': { type: 'string' },
  },
})
for (const name of ['modules', 'port', 'plc-port', 'data-dir']) {
  if (!args[name]) fail(`missing --${name}`)
}
const port = Number(args.port)
const plcPort = Number(args['plc-port'])
const dataDir = path.resolve(args['data-dir'])

const require = createRequire(path.join(path.resolve(args.modules), 'atpin-launcher.js'))
const load = async (name) => import(pathToFileURL(require.resolve(name)).href)

const { PDS } = await load('@atproto/pds')
const plcModule = await load('@did-plc/server')
const { PlcServer, Database } = plcModule.PlcServer ? plcModule : plcModule.default
const { Secp256k1Keypair } = await load('@atproto/crypto')
const { createHttpTerminator } = await load('http-terminator')

const servers = [] // stopped in reverse order
let stopping = false
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => stop(0))

try {
  let plcUrl = process.env.ATPIN_PDS_PLC_URL
  if (!plcUrl) {
    const plc = PlcServer.create({ db: Database.mock(), port: plcPort })
    await listen(plc, plcPort, async () => plc.destroy())
    plcUrl = `http://127.0.0.1:${plcPort}`
  }

  const rotationKey = await Secp256k1Keypair.create({ exportable: true })
  const adminPassword = randomBytes(16).toString('hex')
  mkdirSync(path.join(dataDir, 'blobs'), { recursive: true })
  const pds = await PDS.fromEnv({
    devMode: true,
    hostname: 'localhost', // with a fixed port this makes the public URL http://localhost:PORT
    port,
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    inviteRequired: false,
    disableSsrfProtection: true, // it has to reach our loopback PLC and test services
    serviceHandleDomains: ['.test'],
    crawlers: [],
    jwtSecret: randomBytes(32).toString('hex'),
    adminPassword,
    plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
  })
  // What PDS.start() does, except that it listens on every interface and we want loopback only.
  await pds.ctx.sequencer.start()
  await listen(pds, port, async () => pds.destroy())
  pds.server.keepAliveTimeout = 90_000
  const pdsUrl = `http://localhost:${port}`

  const ready = { pdsUrl, plcUrl, adminPassword }
  if (process.env.ATPIN_PDS_DEMO_ACCOUNT) {
    ready.demo = await createDemoAccount(pdsUrl, process.env.ATPIN_PDS_DEMO_ACCOUNT)
  }
  process.stdout.write(JSON.stringify(ready) + '\n')
} catch (err) {
  console.error('start.mjs: cannot start the PDS:', err)
  await stop(1)
}

/** Binds an express-based server to 127.0.0.1 and records how to stop it. */
async function listen(service, listenPort, destroy) {
  const server = service.app.listen(listenPort, '127.0.0.1')
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => Promise.reject(err)),
  ])
  service.server = server
  // Both classes' destroy() terminate through this field; their own start() would have set it.
  service.terminator = createHttpTerminator({ server, gracefulTerminationTimeout: 1000 })
  servers.push(destroy)
}

async function createDemoAccount(pdsUrl, localPart) {
  const handle = `${localPart}.test`
  const password = randomBytes(12).toString('hex')
  const res = await fetch(`${pdsUrl}/xrpc/com.atproto.server.createAccount`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle, password, email: `${localPart}@example.test` }),
  })
  const body = await res.json()
  if (!res.ok) throw new Error(`createAccount ${handle}: ${res.status} ${JSON.stringify(body)}`)
  return { did: body.did, handle: body.handle, password }
}

async function stop(code) {
  if (stopping) return
  stopping = true
  // A hung shutdown must not keep a test run waiting.
  setTimeout(() => process.exit(code || 1), 10_000).unref()
  for (const destroy of servers.reverse()) {
    try {
      await destroy()
    } catch (err) {
      console.error('start.mjs: error while stopping:', err)
    }
  }
  process.exit(code)
}

function fail(message) {
  console.error(`start.mjs: ${message}`)
  console.error('usage: node start.mjs --modules DIR --port PORT --plc-port PORT --data-dir DIR')
  process.exit(2)
}
