using Bookstore.Marketplace.Api;
using Bookstore.Marketplace.Extensions;
using Bookstore.Marketplace.Pages;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler(PageEndpoints.ErrorPath);
}

// An empty 4xx/5xx (e.g. a JSON body that does not parse) gets problem details.
app.UseStatusCodePages();
app.UseStaticFiles();
app.MapDefaultEndpoints();
app.MapPages();
app.MapApi();

// The API's OpenAPI document (/openapi/v1.json) and two reference pages over it: Scalar (/scalar/v1), Swagger UI (/swagger).
app.MapOpenApi();
app.MapScalarApiReference();
// Swagger UI is a middleware that looks at every request: only /swagger requests go through it.
app.UseWhen(
    context => context.Request.Path.StartsWithSegments("/swagger"),
    swagger => swagger.UseSwaggerUI(options => options.SwaggerEndpoint("/openapi/v1.json", "Bookstore API")));

app.Run();
