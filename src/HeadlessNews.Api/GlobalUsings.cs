// The namespaces nearly every feature file needs: the project's own cross-cutting infrastructure (database, HTTP,
// security, text), EF Core, typed HTTP results and options. Feature namespaces stay imported where they are used, so
// each file still shows which other features it depends on.
global using HeadlessNews.Api.Infrastructure.Database;
global using HeadlessNews.Api.Infrastructure.Http;
global using HeadlessNews.Api.Infrastructure.Security;
global using HeadlessNews.Api.Infrastructure.Text;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.EntityFrameworkCore;
global using Microsoft.Extensions.Options;
