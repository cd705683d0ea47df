package org.imagefoundry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.imagefoundry.cache.CacheKey;
import org.imagefoundry.cache.ImageStore;
import org.junit.jupiter.api.Test;

class CacheKeysTest {

  @Test
  void aKeyRecordedBeforeTheOneStoreGetsTheLayerOfItsVariable() throws Exception {
    // what a build that started before the upgrade holds in its contentKey variable
    CacheKey recorded = new ObjectMapper().readValue("{\"digest\": \"ab12\", \"description\": \"image-content-v4\"}",
        CacheKey.class);

    CacheKey key = CacheKeys.inLayer(recorded, ImageStore.LAYER);

    assertThat(key).isEqualTo(new CacheKey("images", "ab12", "image-content-v4"));
    assertThat(CacheKeys.inLayer(key, "layers")).isSameAs(key);
    assertThat(CacheKeys.inLayer(null, "layers")).isNull();
  }
}
