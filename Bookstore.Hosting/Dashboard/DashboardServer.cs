using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bookstore.Hosting.Dashboard;

/// <summary>
/// The dashboard, on Kestrel inside the AppHost: a login token (printed at start) sets a cookie; every other page
/// without it goes to the login page. So far it has the Resources page (state, health, replicas, endpoints,
/// environment with secrets masked, stop / start / restart), updated live over server-sent events.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public const int DefaultPort = 18888;
    private const string CookieName = "bookstore-dashboard";

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri address, string token)
    {
        _app = app;
        Address = address;
        LoginUrl = new Uri(address, $"/login?t={token}");
    }

    public Uri Address { get; }

    public Uri LoginUrl { get; }

    /// <summary>Starts on <paramref name="port"/>, or on a free port when that one is taken.</summary>
    public static async Task<DashboardServer> StartAsync(DistributedApplication application, int port, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var app = Build(application, port, token);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException) when (port != 0)
        {
            // Taken (another AppHost, say): any free port will do.
            await app.DisposeAsync();
            app = Build(application, 0, token);
            await app.StartAsync(cancellationToken);
        }

        var address = new Uri(app.Urls.Single());
        return new DashboardServer(app, address, token);
    }

    private static WebApplication Build(DistributedApplication application, int port, string token)
    {
        var tokenBytes = Encoding.ASCII.GetBytes(token);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();

        app.MapGet("/login", (HttpContext context, string? t) =>
        {
            if (t is null || !CryptographicOperations.FixedTimeEquals(tokenBytes, Encoding.ASCII.GetBytes(t)))
            {
                return Results.Content(Pages.Layout("Login", "<p class=\"error\">That login token is wrong. Use the URL the AppHost printed at start.</p>"),
                    "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
            }

            context.Response.Cookies.Append(CookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true });
            return Results.Redirect("/");
        });

        // Everything else needs the cookie; the SameSite=Strict cookie also keeps other sites from posting the buttons.
        app.Use(async (context, next) =>
        {
            var cookie = context.Request.Cookies[CookieName];
            if (!context.Request.Path.StartsWithSegments("/login")
                && (cookie is null || !CryptographicOperations.FixedTimeEquals(tokenBytes, Encoding.ASCII.GetBytes(cookie))))
            {
                context.Response.Redirect("/login");
                return;
            }

            await next(context);
        });

        static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");
        app.MapGet("/", () => Html(Pages.Live("Resources", "/fragments/resources", Pages.ResourcesTable(application))));
        app.MapGet("/fragments/resources", () => Html(Pages.ResourcesTable(application)));
        app.MapGet("/console", (string? resource, int? replica) =>
            Html(Pages.Live("Console logs", $"/fragments/console?resource={Uri.EscapeDataString(resource ?? "")}&replica={replica ?? 0}", TelemetryPages.Console(application, resource, replica ?? 0))));
        app.MapGet("/fragments/console", (string? resource, int? replica) => Html(TelemetryPages.Console(application, resource, replica ?? 0)));
        app.MapGet("/logs", (string? resource, string? level, string? text) =>
            Html(Pages.Live("Structured logs", $"/fragments/logs?resource={Uri.EscapeDataString(resource ?? "")}&level={Uri.EscapeDataString(level ?? "")}&text={Uri.EscapeDataString(text ?? "")}", TelemetryPages.Logs(application, resource, level, text))));
        app.MapGet("/fragments/logs", (string? resource, string? level, string? text) => Html(TelemetryPages.Logs(application, resource, level, text)));
        app.MapGet("/traces", () => Html(Pages.Live("Traces", "/fragments/traces", TelemetryPages.Traces(application))));
        app.MapGet("/fragments/traces", () => Html(TelemetryPages.Traces(application)));
        app.MapGet("/traces/{id}", (string id) => Html(Pages.Layout("Trace", TelemetryPages.Trace(application, id))));
        app.MapGet("/metrics", (string? resource) =>
            Html(Pages.Live("Metrics", $"/fragments/metrics?resource={Uri.EscapeDataString(resource ?? "")}", TelemetryPages.Metrics(application, resource))));
        app.MapGet("/fragments/metrics", (string? resource) => Html(TelemetryPages.Metrics(application, resource)));
        app.MapGet("/events", (HttpContext context) => Pages.StreamChangesAsync(context, application));
        app.MapPost("/resources/{name}/{command}", async (string name, string command) =>
        {
            var action = command switch
            {
                "stop" => application.StopResourceAsync(name),
                "start" => application.StartResourceAsync(name),
                "restart" => application.RestartResourceAsync(name),
                _ => Task.FromException(new DistributedApplicationException($"Unknown command '{command}'.")),
            };
            try
            {
                await action;
                return Results.Redirect("/");
            }
            catch (DistributedApplicationException exception)
            {
                return Results.Content(Pages.Layout("Error", $"<p class=\"error\">{WebUtility.HtmlEncode(exception.Message)}</p>"),
                    "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
            }
        });

        return app;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
