using Bookstore.Marketplace.Extensions;
using Bookstore.Marketplace.Pages;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler(PageEndpoints.ErrorPath);
}

app.UseStaticFiles();
app.MapDefaultEndpoints();
app.MapPages();

app.Run();
