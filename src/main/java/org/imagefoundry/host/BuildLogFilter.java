package org.imagefoundry.host;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/** Lets into a build's log only this service's own lines about that build. */
public class BuildLogFilter extends Filter<ILoggingEvent> {

  @Override
  public FilterReply decide(ILoggingEvent event) {
    boolean ofABuild = event.getMDCPropertyMap().containsKey(BuildLog.BUILD_ID);
    return ofABuild && event.getLoggerName().startsWith("org.imagefoundry") ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
