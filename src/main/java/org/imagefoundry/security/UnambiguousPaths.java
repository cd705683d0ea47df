package org.imagefoundry.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.HttpStatusRequestRejectedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Only paths with one reading reach a rule or a controller: Spring Security's {@link StrictHttpFirewall}
 * refuses {@code ;} parameters, {@code //}, {@code .} and {@code ..} segments and encoded separators,
 * dots and percent signs; on top of it, a percent-encoded unreserved character (a letter, a digit,
 * {@code - . _ ~}) is refused, since {@code /api/build%73} is {@code /api/builds} written another way.
 *
 * <p>It is Spring Security's firewall, and also the first filter before Spring Security: there, the
 * path is parsed ({@code ServletRequestPathFilter}) before the firewall runs, and fails with a 500 on
 * such paths under the engine REST API's servlet. A refused request is answered 400, before anything.
 */
public class UnambiguousPaths implements HttpFirewall, Filter {

  private final StrictHttpFirewall strict = new StrictHttpFirewall();
  private final HttpStatusRequestRejectedHandler refuse = new HttpStatusRequestRejectedHandler();

  @Override
  public FirewalledRequest getFirewalledRequest(HttpServletRequest request) {
    if (hasEncodedUnreserved(request.getRequestURI())) {
      throw new RequestRejectedException("The request was rejected because the URL encodes a character that needs no encoding");
    }
    return strict.getFirewalledRequest(request);
  }

  @Override
  public HttpServletResponse getFirewalledResponse(HttpServletResponse response) {
    return strict.getFirewalledResponse(response);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    try {
      getFirewalledRequest((HttpServletRequest) request);
    } catch (RequestRejectedException e) {
      refuse.handle((HttpServletRequest) request, (HttpServletResponse) response, e);
      return;
    }
    chain.doFilter(request, response);
  }

  static boolean hasEncodedUnreserved(String path) {
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()) {
        return true; // a lone '%': not a path anyone means
      }
      int high = Character.digit(path.charAt(i + 1), 16);
      int low = Character.digit(path.charAt(i + 2), 16);
      if (high < 0 || low < 0 || isUnreserved((char) (high * 16 + low))) {
        return true;
      }
    }
    return false;
  }

  /** RFC 3986, 2.3: characters that mean the same encoded or not. */
  private static boolean isUnreserved(char c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0;
  }
}
