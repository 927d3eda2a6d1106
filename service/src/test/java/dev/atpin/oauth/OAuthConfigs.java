package dev.atpin.oauth;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;

/** Real {@link OAuthConfig} mappings built from a few properties, for tests that need no app. */
public final class OAuthConfigs {

    private OAuthConfigs() {}

    public static OAuthConfig of(String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put("atpin.oauth." + keyValues[i], keyValues[i + 1]);
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(OAuthConfig.class)
                // Quarkus' duration syntax ("10m", "14d"), as the running service reads it
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return config.getConfigMapping(OAuthConfig.class);
    }
}
