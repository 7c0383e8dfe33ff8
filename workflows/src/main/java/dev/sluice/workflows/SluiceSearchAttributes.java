package dev.sluice.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.util.Map;

/** Sluice's custom search attributes, as registered on the namespace and set on deployments. */
public final class SluiceSearchAttributes {

  public static final SearchAttributeKey<String> SERVICE =
      SearchAttributeKey.forKeyword("SluiceService");
  public static final SearchAttributeKey<String> VERSION =
      SearchAttributeKey.forKeyword("SluiceVersion");
  public static final SearchAttributeKey<String> STRATEGY =
      SearchAttributeKey.forKeyword("SluiceStrategy");
  public static final SearchAttributeKey<String> PHASE =
      SearchAttributeKey.forKeyword("SluicePhase");

  /**
   * The deployment's outcome as soon as it is known (RUNNING until then, again during a retry):
   * {@code SluiceState="ABORTED"} finds aborted deployments while they still wait for a retry.
   */
  public static final SearchAttributeKey<String> STATE =
      SearchAttributeKey.forKeyword("SluiceState");

  /** Every attribute with its index type, for registration. */
  public static final Map<String, IndexedValueType> ALL =
      Map.of(
          SERVICE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          VERSION.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          STRATEGY.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          PHASE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          STATE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);

  private SluiceSearchAttributes() {}
}
