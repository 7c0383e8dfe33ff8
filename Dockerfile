# syntax=docker/dockerfile:1
#
# Sluice: one image for the REST API (`server`) and the Temporal worker (`worker`).
#
#   docker build -t sluice .
#   docker run --rm -p 8080:8080 -p 8081:8081 sluice                 # server /opt/sluice/config.yml
#   docker run --rm sluice worker /opt/sluice/config.yml             # a standalone worker
#
# /opt/sluice/config.yml is config/docker.yml: PostgreSQL + a remote Temporal cluster, every value
# overridable with SLUICE_* environment variables. docker-compose.yml runs the whole stack.

############################ build ############################
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# The poms first, alone: the dependency layer below is rebuilt only when a pom changes, not on every
# source edit. (mvn from the image rather than ./mvnw, which would first download its own Maven.)
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY workflows/pom.xml workflows/
COPY judge/pom.xml judge/
COPY flags/pom.xml flags/
COPY flags-openfeature/pom.xml flags-openfeature/
COPY dualwrite/pom.xml dualwrite/
COPY ledger/pom.xml ledger/
COPY sample-app/pom.xml sample-app/
COPY activities/pom.xml activities/
COPY worker/pom.xml worker/
COPY testkit/pom.xml testkit/
COPY api/pom.xml api/
COPY demo/pom.xml demo/
COPY bench/pom.xml bench/

# Best-effort prefetch of third-party dependencies and plugins for the modules the jar needs.
# go-offline 3.9.0+ skips the reactor's own (not yet built) modules; --fail-never keeps one
# unresolvable artifact from ending the prefetch early. Anything missed is fetched by `package`.
RUN mvn -B -ntp --fail-never -pl api -am \
        org.apache.maven.plugins:maven-dependency-plugin:3.9.0:go-offline \
    || echo "dependency prefetch incomplete: the package step fetches the rest"

COPY . .

# -DskipTests, not -Dmaven.test.skip: the api module's tests depend on the activities test-jar,
# which is only produced when test sources are compiled. -pl api -am builds the api jar and the
# modules it depends on, and leaves the benchmarks out.
RUN mvn -B -ntp -DskipTests -pl api -am package \
 && test -s api/target/sluice.jar

############################ runtime ############################
FROM eclipse-temurin:17-jre

# An unprivileged user with a fixed uid (10001: clear of the base image's `ubuntu` user, uid 1000).
# /opt/sluice is its working directory, writable for anything Sluice keeps relative to it; the jar
# and the config stay root-owned and read-only to it.
# The HEALTHCHECK below uses curl, which the Ubuntu-based eclipse-temurin images ship; fail the
# build here, not at run time, if a future base image drops it.
RUN groupadd --gid 10001 sluice \
 && useradd --uid 10001 --gid sluice --home-dir /opt/sluice --no-create-home \
        --shell /usr/sbin/nologin sluice \
 && mkdir -p /opt/sluice \
 && chown sluice:sluice /opt/sluice \
 && command -v curl >/dev/null

WORKDIR /opt/sluice
COPY --from=build /src/api/target/sluice.jar /opt/sluice/sluice.jar
COPY config/docker.yml /opt/sluice/config.yml

USER sluice

# Size the heap from the container's memory limit; exit (and let the orchestrator restart the
# container) rather than limp on after an OutOfMemoryError.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError"

# 8080: REST API and dashboard; 8081: Dropwizard admin (healthcheck, metrics, tasks).
EXPOSE 8080 8081

# Dropwizard's admin healthcheck answers 200 only when every registered check is healthy.
# It is meant for `server`; docker-compose.yml turns it off for the `worker` containers, which are
# not expected to serve the admin port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null http://localhost:8081/healthcheck || exit 1

# Exec form: java is PID 1 and receives SIGTERM directly, so a worker shuts down gracefully.
ENTRYPOINT ["java", "-jar", "/opt/sluice/sluice.jar"]
CMD ["server", "/opt/sluice/config.yml"]
