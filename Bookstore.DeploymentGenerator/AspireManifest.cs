using System.Text.Json;

namespace Bookstore.DeploymentGenerator;

public sealed record ManifestBinding(string Name, string Scheme, string Transport, bool External);

public sealed record ManifestProject(string Name, string Path, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<ManifestBinding> Bindings);

/// <summary>The manifest cannot be turned into deployment files; the message says why.</summary>
public sealed class ManifestException(string message) : Exception(message);

/// <summary>Reads the project resources of an Aspire manifest, as a deployment tool does.</summary>
public static class AspireManifest
{
    public static IReadOnlyList<ManifestProject> Read(string manifestPath)
    {
        if (!File.Exists(manifestPath))
        {
            throw new ManifestException($"No Aspire manifest at {manifestPath}: publish it first (dotnet run --project Bookstore.AppHost -- --publisher manifest --output-path {manifestPath}).");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var projects = new List<ManifestProject>();
        foreach (var resource in document.RootElement.GetProperty("resources").EnumerateObject())
        {
            var type = resource.Value.GetProperty("type").GetString();
            if (type is not ("project.v0" or "project.v1"))
            {
                throw new ManifestException($"Resource '{resource.Name}' is a {type}; only projects can be deployed so far.");
            }

            var environment = resource.Value.TryGetProperty("env", out var env)
                ? env.EnumerateObject().ToDictionary(variable => variable.Name, variable => variable.Value.GetString() ?? "")
                : [];
            var bindings = resource.Value.TryGetProperty("bindings", out var found)
                ? found.EnumerateObject().Select(binding => new ManifestBinding(
                    binding.Name,
                    binding.Value.GetProperty("scheme").GetString()!,
                    binding.Value.GetProperty("transport").GetString()!,
                    binding.Value.TryGetProperty("external", out var external) && external.GetBoolean())).ToList()
                : [];
            projects.Add(new ManifestProject(resource.Name, resource.Value.GetProperty("path").GetString()!, environment, bindings));
        }

        return projects;
    }
}
