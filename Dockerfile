# Builds the service as a static binary (the SQLite driver is pure Go).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/commonground .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/commonground /commonground
ENV COMMONGROUND_ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/commonground"]
