# syntax=docker/dockerfile:1
# Build stage: the shaded jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline -DexcludeArtifactIds=s3proxy || true
COPY conf conf
COPY src src
RUN mvn -B -q package -DskipTests

# Runtime stage: a JRE and the jar, as an unprivileged user.
FROM eclipse-temurin:17-jre
RUN groupadd --system postern && useradd --system --gid postern --home /var/lib/postern postern \
    && mkdir -p /var/lib/postern /etc/postern && chown postern:postern /var/lib/postern
COPY --from=build /src/target/postern.jar /opt/postern/postern.jar
COPY conf /etc/postern
USER postern
ENV POSTERN_DATA_DIR=/var/lib/postern
VOLUME /var/lib/postern
# The HTTP API, SMTP submission with STARTTLS (2587) and implicit TLS (2465), the inbound MX (2525).
# With conf/production.json the API is HTTPS and /readyz detail is on the loopback admin
# listener (8081), which the health check reads; the embedded default serves plain HTTP on 8080.
EXPOSE 8080 2587 2465 2525
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
  CMD curl -fsS http://127.0.0.1:8081/readyz || curl -fsS http://127.0.0.1:8080/readyz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:MaxGCPauseMillis=20", "-jar", "/opt/postern/postern.jar"]
CMD ["serve"]
