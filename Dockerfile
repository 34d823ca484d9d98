# Multi-stage build of the API; runs as a non-root user. Not exercised by CI here (no Docker engine).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY Directory.Build.props Directory.Packages.props HeadlessNews.sln ./
COPY src/HeadlessNews.Api/HeadlessNews.Api.csproj src/HeadlessNews.Api/
RUN dotnet restore src/HeadlessNews.Api/HeadlessNews.Api.csproj
COPY src/ src/
RUN dotnet publish src/HeadlessNews.Api -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://localhost:8080/health/ready || exit 1
ENTRYPOINT ["dotnet", "HeadlessNews.Api.dll"]
