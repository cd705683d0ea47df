package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.junit.jupiter.api.Test;

class ReleaseFileTest {

  static final String RELEASE = """
      -----BEGIN PGP SIGNED MESSAGE-----
      Hash: SHA512

      Origin: Ubuntu
      Label: Ubuntu
      Suite: yakkety
      Version: 16.10
      Codename: yakkety
      Date: Thu, 13 Oct 2016 17:59:32 UTC
      Architectures: amd64 i386
      Components: main restricted
      MD5Sum:
       0a3f0c1f0b7f6c5d 1234 main/binary-amd64/Packages
      -----BEGIN PGP SIGNATURE-----
      xyz
      """;

  @Test
  void versionStaysAStringNotANumber() {
    // fuel-agent read Release as YAML and pinned v=16.1 (LP#1488844)
    assertThat(ReleaseFile.parse(RELEASE).fields()).containsEntry("Version", "16.10");
    assertThat(ReleaseFile.parse(RELEASE).pinCondition("main")).isEqualTo("n=yakkety,o=Ubuntu,l=Ubuntu,v=16.10,c=main");
  }

  @Test
  void preferencesPinEachComponentOfAPrioritizedRepo() {
    var repo = new RepoSpec("extra", "http://127.0.0.1:9/extra", "yakkety", "main restricted", 1050, "deb", null, null);

    assertThat(AptSettings.preferences(repo, ReleaseFile.parse(RELEASE))).isEqualTo("""
        Package: *
        Pin: release n=yakkety,o=Ubuntu,l=Ubuntu,v=16.10,c=main
        Pin-Priority: 1050

        Package: *
        Pin: release n=yakkety,o=Ubuntu,l=Ubuntu,v=16.10,c=restricted
        Pin-Priority: 1050

        """);
  }

  @Test
  void sourcesAndBuildSettings() {
    var trusted = new RepoSpec("local", "http://127.0.0.1:9/local", "stable", "main", null, "deb", true, null);
    assertThat(AptSettings.sourceLine(trusted, "amd64")).isEqualTo("deb [arch=amd64 trusted=yes] http://127.0.0.1:9/local stable main\n");
    assertThat(AptSettings.sourceLine(trusted.withUri("http://127.0.0.1:9/ports"), "arm64"))
        .isEqualTo("deb [arch=arm64 trusted=yes] http://127.0.0.1:9/ports stable main\n");

    var proxies = new org.imagefoundry.spec.BuildSpec.Proxies(java.util.Map.of("http", "http://10.0.0.5:3128"),
        java.util.List.of("10.0.0.1"));
    assertThat(AptSettings.buildSettings(proxies))
        .contains("APT::Install-Recommends \"false\";", "Acquire::http::Pipeline-Depth \"0\";",
            "Acquire::http::Proxy \"http://10.0.0.5:3128\";", "Acquire::http::Proxy::10.0.0.1 \"DIRECT\";");
  }
}
