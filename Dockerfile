# danvan: a static binary on a distroless base, run as a non-root user.
# The container expects DATABASE_URL (see compose.yaml); the private
# PostgreSQL mode needs PostgreSQL's server binaries, which this image leaves out.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/danvan ./cmd/danvan

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/danvan /usr/local/bin/danvan
USER nonroot:nonroot
ENV DANVAN_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/danvan"]
CMD ["serve"]
