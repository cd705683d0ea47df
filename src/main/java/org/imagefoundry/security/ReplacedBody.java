package org.imagefoundry.security;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.ByteArrayInputStream;

/** A request whose body a filter has read (to check it) and hands on: the same bytes, or checked ones. */
final class ReplacedBody extends HttpServletRequestWrapper {
  private final byte[] content;

  ReplacedBody(HttpServletRequest request, byte[] content) {
    super(request);
    this.content = content;
  }

  @Override
  public int getContentLength() {
    return content.length;
  }

  @Override
  public long getContentLengthLong() {
    return content.length;
  }

  @Override
  public ServletInputStream getInputStream() {
    var in = new ByteArrayInputStream(content);
    return new ServletInputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
      }

      @Override
      public boolean isFinished() {
        return in.available() == 0;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
