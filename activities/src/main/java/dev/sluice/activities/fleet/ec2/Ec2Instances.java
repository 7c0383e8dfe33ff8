package dev.sluice.activities.fleet.ec2;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.aws.AwsCalls;
import dev.sluice.activities.aws.AwsConnection;
import dev.sluice.activities.aws.AwsUnavailableException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The EC2 calls fleet discovery makes, over AWS SDK v2's {@code ec2} client: {@code
 * DescribeInstances} by filters or by ids, every page read. AWS's errors are sorted by {@link
 * AwsCalls}: a refusal (access denied, a malformed filter) is a {@link ConfigurationException} with
 * AWS's words, throttling and 5xx (already retried by the SDK) an {@link AwsUnavailableException}.
 */
public final class Ec2Instances {

  /** How many ids one {@code DescribeInstances} filter names (AWS takes up to 200 values). */
  private static final int IDS_PER_CALL = 200;

  private final Ec2Client client;

  public Ec2Instances(Ec2Client client) {
    this.client = client;
  }

  /** A client over {@code connection}; connects to nothing yet. */
  public static Ec2Instances of(AwsConnection connection) {
    return new Ec2Instances(connection.build(Ec2Client.builder()));
  }

  /** Every instance matching all of {@code filters}, over every page of the answer. */
  public List<Instance> matching(List<Filter> filters) {
    return AwsCalls.call(
        "ec2",
        "DescribeInstances " + describe(filters),
        () ->
            client.describeInstancesPaginator(r -> r.filters(filters)).reservations().stream()
                .flatMap(reservation -> reservation.instances().stream())
                .toList());
  }

  /**
   * The instances of {@code ids} that exist. Asked through an {@code instance-id} filter rather
   * than by ids, so an instance gone since (terminated and forgotten) is simply absent instead of
   * failing the whole call with {@code InvalidInstanceID.NotFound}.
   */
  public List<Instance> byIds(Collection<String> ids) {
    List<String> all = List.copyOf(ids);
    List<Instance> instances = new ArrayList<>();
    for (int from = 0; from < all.size(); from += IDS_PER_CALL) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + IDS_PER_CALL));
      instances.addAll(
          matching(List.of(Filter.builder().name("instance-id").values(chunk).build())));
    }
    return instances;
  }

  /** {@code tag:app=[shop], instance-state-name=[running]}, for messages. */
  static String describe(List<Filter> filters) {
    return filters.stream()
        .map(f -> f.name() + "=" + f.values())
        .reduce((a, b) -> a + ", " + b)
        .orElse("(no filters)");
  }
}
