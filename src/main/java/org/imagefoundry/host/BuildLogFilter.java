package org.imagefoundry.host;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets into a build's log only this service's own lines about that build. The build id names the log
 * file (logback-spring.xml), so a line whose build id is not one the service makes is kept out: a
 * hostile id such as {@code ../../etc/passwd} never becomes a file name.
 */
public class BuildLogFilter extends Filter<ILoggingEvent> {

  @Override
  public FilterReply decide(ILoggingEvent event) {
    boolean ofABuild = BuildIds.isBuildId(event.getMDCPropertyMap().get(BuildLog.BUILD_ID));
    return ofABuild && event.getLoggerName().startsWith("org.imagefoundry") ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
