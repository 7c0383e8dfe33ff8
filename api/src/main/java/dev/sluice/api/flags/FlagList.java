package dev.sluice.api.flags;

import java.util.List;

public record FlagList(List<FlagView> flags) {}
