using System.Text.Json;

namespace Bookstore.DeploymentGenerator;

/// <summary>An endpoint of a resource. <see cref="TargetPort"/> is the port the container listens on, when the manifest says.</summary>
public sealed record ManifestBinding(string Name, string Scheme, string Transport, bool External, int? TargetPort = null);

public sealed record ManifestProject(string Name, string Path, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<ManifestBinding> Bindings);

public sealed record ManifestVolume(string Name, string Target, bool ReadOnly);

/// <summary>A <c>container.v0</c> resource: an image with its environment, volumes, bindings and connection string.</summary>
public sealed record ManifestContainer(
    string Name,
    string Image,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<ManifestBinding> Bindings,
    IReadOnlyList<ManifestVolume> Volumes,
    string? ConnectionString);

/// <summary>A <c>value.v0</c> resource: a connection string made of others, such as a database on a server.</summary>
public sealed record ManifestValue(string Name, string ConnectionString);

/// <summary>A <c>parameter.v0</c> resource. A secret one never gets a value in a generated file.</summary>
public sealed record ManifestParameter(string Name, bool Secret);

public sealed record Manifest(
    IReadOnlyList<ManifestProject> Projects,
    IReadOnlyList<ManifestContainer> Containers,
    IReadOnlyList<ManifestValue> Values,
    IReadOnlyList<ManifestParameter> Parameters);

/// <summary>The manifest cannot be turned into deployment files; the message says why.</summary>
public sealed class ManifestException(string message) : Exception(message);

/// <summary>Reads the resources of an Aspire manifest, as a deployment tool does.</summary>
public static class AspireManifest
{
    public static Manifest Read(string manifestPath)
    {
        if (!File.Exists(manifestPath))
        {
            throw new ManifestException($"No Aspire manifest at {manifestPath}: publish it first (dotnet run --project Bookstore.AppHost -- --publisher manifest --output-path {manifestPath}).");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var projects = new List<ManifestProject>();
        var containers = new List<ManifestContainer>();
        var values = new List<ManifestValue>();
        var parameters = new List<ManifestParameter>();
        foreach (var resource in document.RootElement.GetProperty("resources").EnumerateObject())
        {
            var element = resource.Value;
            switch (element.GetProperty("type").GetString())
            {
                case "project.v0" or "project.v1":
                    projects.Add(new ManifestProject(resource.Name, element.GetProperty("path").GetString()!, Environment(element), Bindings(element)));
                    break;
                case "container.v0":
                    containers.Add(new ManifestContainer(resource.Name, element.GetProperty("image").GetString()!, Environment(element), Bindings(element), Volumes(element), ConnectionString(element)));
                    break;
                case "value.v0":
                    values.Add(new ManifestValue(resource.Name, ConnectionString(element) ?? throw new ManifestException($"Value '{resource.Name}' has no connectionString; only connection strings are supported.")));
                    break;
                case "parameter.v0":
                    parameters.Add(new ManifestParameter(resource.Name, IsSecret(element)));
                    break;
                case var type:
                    throw new ManifestException($"Resource '{resource.Name}' is a {type}; only projects, containers, values and parameters can be deployed so far.");
            }
        }

        return new Manifest(projects, containers, values, parameters);
    }

    private static Dictionary<string, string> Environment(JsonElement resource) =>
        resource.TryGetProperty("env", out var env)
            ? env.EnumerateObject().ToDictionary(variable => variable.Name, variable => variable.Value.GetString() ?? "")
            : [];

    private static List<ManifestBinding> Bindings(JsonElement resource) =>
        resource.TryGetProperty("bindings", out var found)
            ? [.. found.EnumerateObject().Select(binding => new ManifestBinding(
                binding.Name,
                binding.Value.GetProperty("scheme").GetString()!,
                binding.Value.GetProperty("transport").GetString()!,
                binding.Value.TryGetProperty("external", out var external) && external.GetBoolean(),
                binding.Value.TryGetProperty("targetPort", out var port) ? port.GetInt32() : null))]
            : [];

    private static List<ManifestVolume> Volumes(JsonElement resource) =>
        resource.TryGetProperty("volumes", out var found)
            ? [.. found.EnumerateArray().Select(volume => new ManifestVolume(
                volume.GetProperty("name").GetString()!,
                volume.GetProperty("target").GetString()!,
                volume.TryGetProperty("readOnly", out var readOnly) && readOnly.GetBoolean()))]
            : [];

    private static string? ConnectionString(JsonElement resource) =>
        resource.TryGetProperty("connectionString", out var connectionString) ? connectionString.GetString() : null;

    // Aspire 8+ keeps it in inputs.value.secret; a parameter without inputs is a plain value.
    private static bool IsSecret(JsonElement parameter) =>
        parameter.TryGetProperty("inputs", out var inputs)
        && inputs.EnumerateObject().Any(input => input.Value.TryGetProperty("secret", out var secret) && secret.GetBoolean());
}
