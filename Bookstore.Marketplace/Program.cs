using Bookstore.Marketplace.Api;
using Bookstore.Marketplace.Extensions;
using Bookstore.Marketplace.Pages;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Security headers on every response (Security/SecurityHeadersExtensions.cs), errors and files included.
app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler(PageEndpoints.ErrorPath);
}

// An empty 4xx/5xx (e.g. a JSON body that does not parse) gets problem details.
app.UseStatusCodePages();
app.UseStaticFiles();
// Per client address, after the static files (not limited); health endpoints are exempt (Security/RateLimitingExtensions.cs).
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapPages();
app.MapApi();

// The API's OpenAPI document (/openapi/v1.json) and two reference pages over it: Scalar (/scalar/v1), Swagger UI (/swagger).
app.MapOpenApi();
// Without Scalar's default fonts: they come from its CDN, which the pages' Content-Security-Policy (and a machine
// without internet access) does not allow.
app.MapScalarApiReference(options => options.DefaultFonts = false);
// Swagger UI is a middleware that looks at every request: only /swagger requests go through it.
app.UseWhen(
    context => context.Request.Path.StartsWithSegments("/swagger"),
    swagger => swagger.UseSwaggerUI(options => options.SwaggerEndpoint("/openapi/v1.json", "Bookstore API")));

app.Run();
