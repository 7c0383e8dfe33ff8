package dev.sluice.api.metrics;

import dev.sluice.api.auth.TokenLookup;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code /metrics} on the application port is a servlet outside Jersey's filters: once any token
 * exists it too needs one (any role, as a viewer's), answered in the API's error shape otherwise.
 */
final class MetricsTokenFilter implements Filter {

  private final TokenLookup tokens;

  MetricsTokenFilter(TokenLookup tokens) {
    this.tokens = tokens;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!tokens.any()
        || tokens.bearer(((HttpServletRequest) request).getHeader("Authorization")) != null) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletResponse http = (HttpServletResponse) response;
    http.setStatus(401);
    http.setHeader("WWW-Authenticate", "Bearer realm=\"sluice\"");
    http.setContentType("application/json");
    http.getOutputStream()
        .write(
            ("{\"code\":401,\"error\":\"unauthorized\",\"message\":\"a valid API token is"
                    + " required for /metrics: Authorization: Bearer <token> (or scrape the admin"
                    + " port's /prometheus, or set auth.publicMetrics)\"}")
                .getBytes(StandardCharsets.UTF_8));
  }
}
