using System.Net;
using System.Text;
using Bookstore.Hosting.ApplicationModel;
using Bookstore.Hosting.Orchestration;
using Microsoft.AspNetCore.Http;

namespace Bookstore.Hosting.Dashboard;

/// <summary>The dashboard's HTML, rendered on the server from the app's state.</summary>
internal static class Pages
{
    private static readonly string[] SecretMarkers = ["KEY", "SECRET", "PASSWORD", "TOKEN", "HEADERS", "CONNECTIONSTRING"];

    public static string Layout(string title, string body) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>{{WebUtility.HtmlEncode(title)}} - Bookstore dashboard</title>
          <style>
            body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1f; }
            header { background: #243b53; color: #f0f4f8; padding: 0.8rem 1.5rem; font-weight: 600; display: flex; gap: 2rem; }
            header a { color: #bcccdc; margin-right: 1rem; }
            pre { background: #f0f4f8; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
            .bar { background: #486581; height: 0.8rem; position: relative; }
            .error-span .bar { background: #b42318; }
            .waterfall td:nth-child(4) { width: 40%; }
            main { padding: 1rem 1.5rem; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #d9e2ec; vertical-align: top; }
            .Healthy { color: #0e7c3a; font-weight: 600; } .Exited, .FailedToStart, .Unhealthy { color: #b42318; font-weight: 600; }
            .env { font-family: ui-monospace, monospace; font-size: 0.8rem; }
            .error { color: #b42318; }
            form { display: inline; }
          </style>
        </head>
        <body>
          <header>Bookstore dashboard · {{WebUtility.HtmlEncode(title)}}
            <nav><a href="/">Resources</a> <a href="/console">Console logs</a> <a href="/logs">Structured logs</a> <a href="/traces">Traces</a> <a href="/metrics">Metrics</a></nav>
          </header>
          <main>{{body}}</main>
        </body>
        </html>
        """;

    /// <summary>A page whose content is the fragment at <paramref name="fragment"/>, fetched again on every server-sent change.</summary>
    public static string Live(string title, string fragment, string content) => Layout(title, $$"""
        <div id="live">{{content}}</div>
        <script>
          new EventSource('/events').onmessage = async () => {
            const response = await fetch('{{fragment}}');
            if (response.ok) document.getElementById('live').innerHTML = await response.text();
          };
        </script>
        """);

    public static string ResourcesTable(DistributedApplication app)
    {
        var html = new StringBuilder("<table><thead><tr><th>Name</th><th>Type</th><th>State</th><th>Replicas</th><th>Endpoints</th><th>Environment</th><th>Actions</th></tr></thead><tbody>");
        foreach (var resource in app.Resources)
        {
            var replicas = app.GetReplicas(resource.Name);
            var state = StateOf(replicas);
            html.Append("<tr data-resource=\"").Append(Encode(resource.Name)).Append("\">")
                .Append("<td>").Append(Encode(resource.Name)).Append("</td>")
                .Append("<td>").Append(resource is ProjectResource ? "Project" : resource.GetType().Name).Append("</td>")
                .Append("<td class=\"state ").Append(state).Append("\">").Append(state).Append("</td>")
                .Append("<td>");
            foreach (var replica in replicas)
            {
                html.Append("<div>").Append(Encode(replica.Id)).Append(": ").Append(replica.State)
                    .Append(replica.ExitCode is { } code ? $" (exit code {code})" : "")
                    .Append(replica.StartedAt is { } started ? $", started {started:HH:mm:ss} UTC" : "")
                    .Append(replica.Restarts > 0 ? $", restarts {replica.Restarts}" : "")
                    .Append("</div>");
            }

            html.Append("</td><td>");
            foreach (var url in replicas.SelectMany(replica => replica.Endpoints.Values))
            {
                html.Append("<div><a href=\"").Append(Encode(url.ToString())).Append("\">").Append(Encode(url.ToString())).Append("</a></div>");
            }

            html.Append("</td><td class=\"env\">");
            foreach (var (name, value) in app.EnvironmentOf(resource.Name))
            {
                html.Append("<div>").Append(Encode(name)).Append('=').Append(IsSecret(name) ? "••••••" : Encode(value)).Append("</div>");
            }

            html.Append("</td><td>");
            foreach (var command in new[] { "stop", "start", "restart" })
            {
                html.Append("<form method=\"post\" action=\"/resources/").Append(Encode(resource.Name)).Append('/').Append(command)
                    .Append("\"><button type=\"submit\" name=\"").Append(command).Append("\">").Append(command).Append("</button></form> ");
            }

            html.Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>One server-sent event each time something a page shows changes (checked every 250 ms).</summary>
    public static async Task StreamChangesAsync(HttpContext context, DistributedApplication app)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var last = "";
        try
        {
            while (!context.RequestAborted.IsCancellationRequested)
            {
                var now = Fingerprint(app);
                if (now != last)
                {
                    last = now;
                    await context.Response.WriteAsync("data: changed\n\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }

                await Task.Delay(250, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private static string Fingerprint(DistributedApplication app)
    {
        var replicas = app.Resources.SelectMany(resource => app.GetReplicas(resource.Name).Select(replica =>
            $"{replica.Id}:{replica.State}:{replica.Restarts}:{replica.ConsoleLines}"));
        return $"{string.Join('|', replicas)}|{app.Telemetry.Version}";
    }

    private static string StateOf(IReadOnlyList<ReplicaSnapshot> replicas) =>
        replicas.All(replica => replica.State == replicas[0].State) ? replicas[0].State.ToString() : "Mixed";

    private static bool IsSecret(string name) => SecretMarkers.Any(marker => name.Contains(marker, StringComparison.OrdinalIgnoreCase));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
