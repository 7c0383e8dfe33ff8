package dev.sluice.api.analysis;

import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.judge.Judge;
import dev.sluice.judge.JudgeInputException;
import dev.sluice.judge.JudgeRequest;
import dev.sluice.judge.JudgeResult;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /api/v1/analysis/judge}: the canary judge on recorded series, replayed interval by
 * interval as a live canary would see them (so a FAIL is reported at the interval where the live
 * canary would have been rolled back). Pure computation: nothing is stored, nothing is audited.
 */
@Path("/api/v1/analysis")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AnalysisResource {

  /** More than this many numbers in one request is refused: the judge runs in the API's threads. */
  static final long MAX_NUMBERS = 2_000_000;

  @POST
  @Path("/judge")
  public JudgeResult judge(JudgeRequest request) {
    if (request == null) {
      throw ApiException.badRequest("body", "a judge request is required: {\"metrics\": [...]}");
    }
    long numbers = size(request);
    if (numbers > MAX_NUMBERS) {
      throw ApiException.badRequest(
          "metrics",
          "has " + numbers + " numbers; at most " + MAX_NUMBERS + " are judged per request");
    }
    try {
      return Judge.replay(request);
    } catch (JudgeInputException e) {
      throw ApiException.badRequest(
          e.problems().stream().map(p -> new FieldError(p.field(), p.message())).toList());
    }
  }

  private static long size(JudgeRequest request) {
    long n = 0;
    if (request.metrics() == null) {
      return 0;
    }
    for (JudgeRequest.Metric m : request.metrics()) {
      if (m == null || m.intervals() == null) {
        continue;
      }
      for (JudgeRequest.Interval i : m.intervals()) {
        if (i != null) {
          n += 2;
          n += i.baseline() == null ? 0 : i.baseline().size();
          n += i.canary() == null ? 0 : i.canary().size();
        }
      }
    }
    return n;
  }
}
