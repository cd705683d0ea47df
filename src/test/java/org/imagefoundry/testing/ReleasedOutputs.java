package org.imagefoundry.testing;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * Before each test of a {@link ProcessTest}, no output file is claimed: the tests of a class leave
 * builds half-way, which would hold the files of the shared requests ({@link Requests}) for the next
 * test. (As Requests.clean empties the output roots, this forgets who owned the files.)
 */
public class ReleasedOutputs implements BeforeEachCallback {

  @Override
  public void beforeEach(ExtensionContext context) {
    DataSource dataSource = SpringExtension.getApplicationContext(context).getBean(DataSource.class);
    new JdbcTemplate(dataSource).update("DELETE FROM IF_OUTPUT_CLAIM");
  }
}
