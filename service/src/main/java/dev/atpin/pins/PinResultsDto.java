package dev.atpin.pins;

import java.util.List;

/** The spec's {@code PinResults}: {@code count} is the total matching the filters, not the page size. */
public record PinResultsDto(long count, List<PinStatusDto> results) {}
