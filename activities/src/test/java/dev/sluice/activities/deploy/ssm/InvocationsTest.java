package dev.sluice.activities.deploy.ssm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.activities.ConfigurationException;
import dev.sluice.activities.deploy.host.CommandResult;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * The invocation statuses moto never answers (it says {@code Success} to every command), read as
 * Run Command documents them: each case is the status and details AWS gives.
 */
class InvocationsTest {

  @Test
  void anInvocationNotOverYetHasNoResult() throws IOException {
    assertThat(ended(CommandInvocationStatus.PENDING, "Pending", null, "", "")).isNull();
    assertThat(ended(CommandInvocationStatus.IN_PROGRESS, "InProgress", null, "", "")).isNull();
    assertThat(ended(CommandInvocationStatus.DELAYED, "Delayed", null, "", "")).isNull();
  }

  @Test
  void successAndFailureAreTheScriptsOwnEndWithItsOutputThenItsErrors() throws IOException {
    assertThat(ended(CommandInvocationStatus.SUCCESS, "Success", 0, "done\n", ""))
        .isEqualTo(new CommandResult(0, "done\n", false));
    assertThat(ended(CommandInvocationStatus.FAILED, "Failed", 3, "step 1", "broken\n"))
        .isEqualTo(new CommandResult(3, "step 1\nbroken\n", false));
  }

  @Test
  void anExecutionTimeoutIsAScriptThatDidNotEndInTime() throws IOException {
    assertThat(ended(CommandInvocationStatus.TIMED_OUT, "ExecutionTimedOut", -1, "half", ""))
        .isEqualTo(new CommandResult(-1, "half", true));
  }

  @Test
  void aCommandThatNeverReachedTheInstanceIsRetryable() {
    assertThatThrownBy(
            () -> ended(CommandInvocationStatus.TIMED_OUT, "DeliveryTimedOut", -1, "", ""))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("i-0123456789abcdef0 (DeliveryTimedOut)");
    assertThatThrownBy(() -> ended(CommandInvocationStatus.FAILED, "Undeliverable", -1, "", ""))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("SSM agent connected");
  }

  @Test
  void aPlatformOrPermissionRunCommandRefusesIsAConfigurationError() {
    assertThatThrownBy(() -> ended(CommandInvocationStatus.FAILED, "InvalidPlatform", -1, "", ""))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("ssm deployer: Run Command refused deploying 1.2.0")
        .hasMessageContaining("InvalidPlatform");
    assertThatThrownBy(() -> ended(CommandInvocationStatus.FAILED, "AccessDenied", -1, "", ""))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AccessDenied");
  }

  @Test
  void aCancelledCommandFailsNamingTheStatus() throws IOException {
    CommandResult result = ended(CommandInvocationStatus.CANCELLED, "Cancelled", null, "", "");
    assertThat(result.exitStatus()).isEqualTo(1);
    assertThat(result.timedOut()).isFalse();
    assertThat(result.output()).contains("Run Command ended the command Cancelled (Cancelled)");
  }

  private static CommandResult ended(
      CommandInvocationStatus status, String details, Integer code, String out, String err)
      throws IOException {
    GetCommandInvocationResponse invocation =
        GetCommandInvocationResponse.builder()
            .status(status)
            .statusDetails(details)
            .responseCode(code)
            .standardOutputContent(out)
            .standardErrorContent(err)
            .build();
    return Invocations.ended(invocation, "i-0123456789abcdef0", "cmd-1", "deploying 1.2.0");
  }
}
