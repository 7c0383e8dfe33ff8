package dev.sluice.flags.openfeature;

/** flagd documents for the tests. */
final class Docs {

  private Docs() {}

  /** One boolean flag, {@code banner}, on or off for everyone. */
  static String banner(boolean on) {
    return """
        {"flags": {"banner": {"state": "ENABLED", "variants": {"on": true, "off": false},
                              "defaultVariant": "%s"}}}
        """
        .formatted(on ? "on" : "off");
  }

  /** {@code banner} as in {@link #banner}, plus {@code other}. */
  static String bannerAndOther(boolean on, String otherColor) {
    return """
        {"flags": {
          "banner": {"state": "ENABLED", "variants": {"on": true, "off": false},
                     "defaultVariant": "%s"},
          "other": {"state": "ENABLED", "variants": {"c": "%s"}, "defaultVariant": "c"}}}
        """
        .formatted(on ? "on" : "off", otherColor);
  }

  /** Compiles to nothing: the default variant names no variant. */
  static final String BROKEN =
      """
      {"flags": {"banner": {"state": "ENABLED", "variants": {"on": true, "off": false},
                            "defaultVariant": "maybe"}}}
      """;

  /** Every kind of outcome, with nested and list attributes in targeting and flag metadata. */
  static final String MAPPING =
      """
      {
        "metadata": {"flagSetId": "sluice", "version": 7},
        "flags": {
          "static-bool": {"state": "ENABLED", "variants": {"on": true, "off": false},
                          "defaultVariant": "on", "metadata": {"owner": "team-web"}},
          "colour": {
            "state": "ENABLED",
            "variants": {"red": "red", "blue": "blue", "green": "green"},
            "defaultVariant": "green",
            "targeting": {"if": [
              {"==": [{"var": "user.plan"}, "pro"]}, "red",
              {"in": ["beta", {"var": "groups"}]}, "blue",
              null]}
          },
          "no-default": {
            "state": "ENABLED",
            "variants": {"on": true, "off": false},
            "targeting": {"if": [{"==": [{"var": "country"}, "NL"]}, "on", null]}
          },
          "split": {
            "state": "ENABLED",
            "variants": {"a": "a", "b": "b"},
            "defaultVariant": "a",
            "targeting": {"fractional": [["a", 50], ["b", 50]]}
          },
          "killed": {"state": "DISABLED", "variants": {"on": true, "off": false},
                     "defaultVariant": "on"},
          "limits": {"state": "ENABLED", "variants": {"small": 3, "big": 10.5},
                     "defaultVariant": "small",
                     "targeting": {"if": [{">": [{"var": "seats"}, 100]}, "big", "small"]}},
          "config": {"state": "ENABLED",
                     "variants": {"v1": {"color": "red", "limit": 5, "tags": ["x", "y"],
                                         "nested": {"on": true}}},
                     "defaultVariant": "v1"},
          "bad-target": {"state": "ENABLED", "variants": {"on": true, "off": false},
                         "defaultVariant": "off", "targeting": {"var": "pick"}}
        }
      }
      """;
}
