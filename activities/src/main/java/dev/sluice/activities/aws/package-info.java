/**
 * What every AWS adapter shares: {@link dev.sluice.activities.aws.AwsConnection} (region, endpoint
 * override and profile read from settings, and one client configuration) and {@link
 * dev.sluice.activities.aws.AwsCalls} (AWS's errors sorted into configuration errors and the
 * retryable {@link dev.sluice.activities.aws.AwsUnavailableException}). {@code MotoServer}, in this
 * package's test sources (shipped in activities' test-jar), runs moto in server mode as the AWS
 * endpoint for tests.
 */
package dev.sluice.activities.aws;
