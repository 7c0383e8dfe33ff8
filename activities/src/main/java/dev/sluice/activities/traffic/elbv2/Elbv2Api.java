package dev.sluice.activities.traffic.elbv2;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.aws.AwsCalls;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Rule;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;

/**
 * The ELBv2 calls the router makes, over AWS SDK v2's {@code elasticloadbalancingv2} client, with
 * AWS's errors sorted: throttling, 5xx and connection failures are retried by the SDK's standard
 * retry strategy (exponential back-off with jitter) and, if they persist, surface as the retryable
 * {@link AwsUnavailableException}; every other error AWS answers (access denied, an unknown ARN, a
 * validation error, an invalid target) is a {@link ConfigurationException} carrying AWS's code and
 * message, since the same request would get the same answer; so are credentials found nowhere in
 * the chain, or a profile without any.
 */
public final class Elbv2Api {

  private final ElasticLoadBalancingV2Client client;

  public Elbv2Api(ElasticLoadBalancingV2Client client) {
    this.client = client;
  }

  /** A client over {@code connection}; connects to nothing yet. */
  public static Elbv2Api of(AwsConnection connection) {
    return new Elbv2Api(connection.build(ElasticLoadBalancingV2Client.builder()));
  }

  public Listener listener(String listenerArn) {
    return call(
        "DescribeListeners " + listenerArn,
        () -> client.describeListeners(r -> r.listenerArns(listenerArn)).listeners().get(0));
  }

  public Rule rule(String ruleArn) {
    return call(
            "DescribeRules " + ruleArn,
            () -> client.describeRules(r -> r.ruleArns(ruleArn)).rules())
        .get(0);
  }

  public void modifyListener(String listenerArn, List<Action> actions) {
    call(
        "ModifyListener " + listenerArn,
        () -> client.modifyListener(r -> r.listenerArn(listenerArn).defaultActions(actions)));
  }

  public void modifyRule(String ruleArn, List<Action> actions) {
    call(
        "ModifyRule " + ruleArn, () -> client.modifyRule(r -> r.ruleArn(ruleArn).actions(actions)));
  }

  /** Fails with AWS's {@code TargetGroupNotFound} unless every one of {@code arns} exists. */
  public void requireTargetGroups(List<String> arns) {
    call(
        "DescribeTargetGroups " + arns,
        () -> client.describeTargetGroups(r -> r.targetGroupArns(arns)));
  }

  /** Health of {@code targets} in the group; all its registered targets when empty. */
  public List<TargetHealthDescription> health(
      String targetGroupArn, List<TargetDescription> targets) {
    return call(
        "DescribeTargetHealth " + targetGroupArn,
        () ->
            client
                .describeTargetHealth(
                    r -> {
                      r.targetGroupArn(targetGroupArn);
                      if (!targets.isEmpty()) {
                        r.targets(targets);
                      }
                    })
                .targetHealthDescriptions());
  }

  public void register(String targetGroupArn, List<TargetDescription> targets) {
    if (!targets.isEmpty()) {
      call(
          "RegisterTargets " + targetGroupArn,
          () -> client.registerTargets(r -> r.targetGroupArn(targetGroupArn).targets(targets)));
    }
  }

  public void deregister(String targetGroupArn, List<TargetDescription> targets) {
    if (!targets.isEmpty()) {
      call(
          "DeregisterTargets " + targetGroupArn,
          () -> client.deregisterTargets(r -> r.targetGroupArn(targetGroupArn).targets(targets)));
    }
  }

  public Map<String, String> tags(String arn) {
    return call(
        "DescribeTags " + arn,
        () ->
            client.describeTags(r -> r.resourceArns(arn)).tagDescriptions().stream()
                .flatMap(d -> d.tags().stream())
                .collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> a)));
  }

  public void addTags(String arn, Map<String, String> tags) {
    if (!tags.isEmpty()) {
      List<Tag> list =
          tags.entrySet().stream()
              .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
              .toList();
      call("AddTags " + arn, () -> client.addTags(r -> r.resourceArns(arn).tags(list)));
    }
  }

  public void removeTags(String arn, List<String> keys) {
    if (!keys.isEmpty()) {
      call("RemoveTags " + arn, () -> client.removeTags(r -> r.resourceArns(arn).tagKeys(keys)));
    }
  }

  private static <T> T call(String operation, Supplier<T> call) {
    return AwsCalls.call("elbv2", operation, call);
  }
}
