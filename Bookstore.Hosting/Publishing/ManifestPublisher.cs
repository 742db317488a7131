using System.Text.Json;
using Bookstore.Hosting.ApplicationModel;

namespace Bookstore.Hosting.Publishing;

/// <summary>
/// Writes the app model as an Aspire manifest (schema aspire-8.0), so that tools built for Aspire manifests can
/// read it: project.v0 resources with their bindings and environment, references as Aspire placeholders
/// such as <c>{recommendations.bindings.http.url}</c>.
/// </summary>
internal static class ManifestPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";

    public static void Write(IReadOnlyList<IResource> resources, string outputPath)
    {
        var manifestPath = Path.GetFullPath(outputPath);
        var manifestDirectory = Path.GetDirectoryName(manifestPath)!;
        Directory.CreateDirectory(manifestDirectory);

        using var stream = File.Create(manifestPath);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUrl);
        json.WriteStartObject("resources");
        foreach (var project in resources.OfType<ProjectResource>())
        {
            json.WriteStartObject(project.Name);
            json.WriteString("type", "project.v0");
            json.WriteString("path", Path.GetRelativePath(manifestDirectory, project.ProjectPath).Replace('\\', '/'));
            WriteEnvironment(json, project);
            WriteBindings(json, project);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The environment a deployment must give the project, as Aspire writes it for projects.</summary>
    public static Dictionary<string, string> EnvironmentOf(ProjectResource project)
    {
        var variables = new Dictionary<string, string>
        {
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
        };
        if (project.Endpoints().FirstOrDefault(endpoint => endpoint.Scheme == "http") is { } http)
        {
            variables["HTTP_PORTS"] = $"{{{project.Name}.bindings.{http.Name}.targetPort}}";
        }

        foreach (var reference in project.AnnotationsOf<ResourceReferenceAnnotation>())
        {
            foreach (var endpoint in reference.Target.Endpoints())
            {
                variables[$"services__{reference.Target.Name}__{endpoint.Name}__0"] = $"{{{reference.Target.Name}.bindings.{endpoint.Name}.url}}";
            }
        }

        // WithEnvironment values are part of the model; callbacks see replica 0, as a single deployment does.
        var context = new EnvironmentContext(project, 0, variables);
        foreach (var annotation in project.AnnotationsOf<EnvironmentAnnotation>())
        {
            annotation.Callback(context);
        }

        return variables;
    }

    private static void WriteEnvironment(Utf8JsonWriter json, ProjectResource project)
    {
        json.WriteStartObject("env");
        foreach (var (name, value) in EnvironmentOf(project))
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
    }

    private static void WriteBindings(Utf8JsonWriter json, ProjectResource project)
    {
        json.WriteStartObject("bindings");
        foreach (var endpoint in project.Endpoints())
        {
            json.WriteStartObject(endpoint.Name);
            json.WriteString("scheme", endpoint.Scheme);
            json.WriteString("protocol", "tcp");
            json.WriteString("transport", endpoint.Transport);
            if (endpoint.IsExternal)
            {
                json.WriteBoolean("external", true);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
