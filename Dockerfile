# The service with the tools a build runs. Build the jar first: mvn -B package -DskipTests
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless mmdebstrap debian-archive-keyring ca-certificates \
      e2fsprogs eatmydata xfsprogs util-linux mount isal zstd xz-utils tar curl bubblewrap \
      fdisk grub-pc-bin grub2-common qemu-utils grub-efi-amd64-bin dosfstools mtools \
 && rm -rf /var/lib/apt/lists/*
COPY target/image-foundry.jar /tmp/image-foundry.jar
# the extracted layout starts about a third faster: a restarted container resumes its builds sooner; run
# through Spring Boot's launcher, as scripts/service does, so Cockpit's plugin assets are served
RUN java -Djarmode=tools -jar /tmp/image-foundry.jar extract --launcher --destination /opt/image-foundry && rm /tmp/image-foundry.jar
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s CMD curl -fs localhost:8080/actuator/health || exit 1
ENTRYPOINT ["java", "-Xmx512m", "-cp", "/opt/image-foundry", "org.springframework.boot.loader.launch.JarLauncher"]
