using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// A part of a resolved value: literal text, or a secret parameter by its environment-variable name
/// (<c>postgres-password</c> is <c>POSTGRES_PASSWORD</c>), which each target fills in its own way at run time.
/// </summary>
public sealed record ValuePart(string Text, bool IsSecret);

/// <summary>A manifest value with its placeholders resolved to in-cluster (or Compose network) addresses.</summary>
public sealed record ResolvedValue(IReadOnlyList<ValuePart> Parts)
{
    public bool HasSecrets => Parts.Any(part => part.IsSecret);

    /// <summary>The environment-variable names of the secrets the value needs, in order of first use.</summary>
    public IEnumerable<string> SecretKeys => Parts.Where(part => part.IsSecret).Select(part => part.Text).Distinct();

    /// <summary>The value as it is, for a value without secrets (a ConfigMap literal).</summary>
    public string Plain => HasSecrets
        ? throw new InvalidOperationException("A value with a secret has no plain form.")
        : string.Concat(Parts.Select(part => part.Text));

    /// <summary>
    /// The value for a place that expands variables (Kubernetes <c>$(VAR)</c>, Compose <c>${VAR}</c>): every literal
    /// <c>$</c> doubled (both read <c>$$</c> as <c>$</c>), each secret written by <paramref name="secret"/>.
    /// </summary>
    public string Render(Func<string, string> secret) =>
        string.Concat(Parts.Select(part => part.IsSecret ? secret(part.Text) : part.Text.Replace("$", "$$", StringComparison.Ordinal)));
}

/// <summary>
/// Resolves Aspire's placeholders: <c>{r.bindings.b.url|host|port|targetPort}</c> to the resource's Service name and
/// container port (every project listens on <see cref="DeploymentGenerator.ContainerPort"/>, a container on its
/// binding's targetPort), <c>{r.connectionString}</c> to that resource's connection string, resolved in turn, and
/// <c>{p.value}</c> of a secret parameter to a <see cref="ValuePart"/> that only names it.
/// </summary>
public sealed partial class Placeholders(Manifest manifest)
{
    public ResolvedValue Resolve(string value)
    {
        var parts = new List<ValuePart>();
        Resolve(value, parts, depth: 0);
        return new ResolvedValue(Merge(parts));
    }

    /// <summary>The environment-variable name a secret parameter goes by in Secrets, env files and Compose.</summary>
    public static string SecretKey(string parameterName) => parameterName.ToUpperInvariant().Replace('-', '_');

    /// <summary>The resources a value names in its placeholders, directly.</summary>
    public static IEnumerable<string> ReferencedResources(string value) =>
        Placeholder().Matches(value).Select(match => match.Groups["resource"].Value).Distinct();

    /// <summary>The <c>resource.binding</c> pairs of a value's binding placeholders.</summary>
    public static IEnumerable<string> ReferencedBindings(string value) =>
        Placeholder().Matches(value)
            .Where(match => match.Groups["path"].Value.StartsWith("bindings.", StringComparison.Ordinal))
            .Select(match => $"{match.Groups["resource"].Value}.{match.Groups["path"].Value.Split('.')[1]}");

    /// <summary>
    /// Every resource a value depends on, through connection strings too: <c>{catalog.connectionString}</c> gives
    /// catalog and the server (and parameters) its connection string names.
    /// </summary>
    public IReadOnlySet<string> DependsOn(string value)
    {
        var found = new HashSet<string>();
        var pending = new Stack<string>(ReferencedResources(value));
        while (pending.TryPop(out var resource))
        {
            if (found.Add(resource) && ConnectionStringOf(resource) is { } connectionString)
            {
                foreach (var next in ReferencedResources(connectionString))
                {
                    pending.Push(next);
                }
            }
        }

        return found;
    }

    private void Resolve(string value, List<ValuePart> parts, int depth)
    {
        if (depth > 10)
        {
            throw new ManifestException($"The placeholders in '{value}' refer to each other in a loop.");
        }

        var at = 0;
        foreach (Match match in Placeholder().Matches(value))
        {
            parts.Add(new ValuePart(value[at..match.Index], IsSecret: false));
            at = match.Index + match.Length;
            var resource = match.Groups["resource"].Value;
            switch (match.Groups["path"].Value.Split('.'))
            {
                case ["bindings", var binding, var property]:
                    parts.Add(new ValuePart(Binding(resource, binding, property, match.Value), IsSecret: false));
                    break;
                case ["connectionString"]:
                    Resolve(ConnectionString(resource, match.Value), parts, depth + 1);
                    break;
                case ["value"]:
                    parts.Add(Parameter(resource, match.Value));
                    break;
                default:
                    throw new ManifestException($"Placeholder {match.Value} is not supported.");
            }
        }

        parts.Add(new ValuePart(value[at..], IsSecret: false));
    }

    private string Binding(string resource, string binding, string property, string placeholder)
    {
        var port = Port(resource, binding, placeholder).ToString(CultureInfo.InvariantCulture);
        return property switch
        {
            "url" => $"{Scheme(resource, binding)}://{resource}:{port}",
            "host" => resource,
            "port" or "targetPort" => port,
            var other => throw new ManifestException($"Placeholder property '{other}' in {placeholder} is not supported."),
        };
    }

    private int Port(string resource, string binding, string placeholder)
    {
        if (manifest.Projects.Any(project => project.Name == resource))
        {
            return DeploymentGenerator.ContainerPort;
        }

        var container = manifest.Containers.FirstOrDefault(container => container.Name == resource)
            ?? throw new ManifestException($"Placeholder {placeholder} names no project or container.");
        return container.Bindings.FirstOrDefault(found => found.Name == binding)?.TargetPort
            ?? throw new ManifestException($"Placeholder {placeholder}: container '{resource}' has no binding '{binding}' with a targetPort.");
    }

    private string Scheme(string resource, string binding) =>
        manifest.Projects.FirstOrDefault(project => project.Name == resource)?.Bindings.FirstOrDefault(found => found.Name == binding)?.Scheme
        ?? manifest.Containers.FirstOrDefault(container => container.Name == resource)?.Bindings.FirstOrDefault(found => found.Name == binding)?.Scheme
        ?? "http";

    private string ConnectionString(string resource, string placeholder) =>
        ConnectionStringOf(resource) ?? throw new ManifestException($"Placeholder {placeholder} names no resource with a connection string.");

    private string? ConnectionStringOf(string resource) =>
        manifest.Containers.FirstOrDefault(container => container.Name == resource)?.ConnectionString
        ?? manifest.Values.FirstOrDefault(value => value.Name == resource)?.ConnectionString;

    private ValuePart Parameter(string resource, string placeholder)
    {
        var parameter = manifest.Parameters.FirstOrDefault(parameter => parameter.Name == resource)
            ?? throw new ManifestException($"Placeholder {placeholder} names no parameter.");
        return parameter.Secret
            ? new ValuePart(SecretKey(parameter.Name), IsSecret: true)
            : throw new ManifestException($"Parameter '{parameter.Name}' is not a secret; only secret parameters (kept out of the generated files) are supported so far.");
    }

    // Adjacent literal parts as one, empty ones dropped: two runs give the same parts for the same value.
    private static List<ValuePart> Merge(List<ValuePart> parts)
    {
        var merged = new List<ValuePart>();
        var literal = new StringBuilder();
        foreach (var part in parts)
        {
            if (!part.IsSecret)
            {
                literal.Append(part.Text);
                continue;
            }

            if (literal.Length > 0)
            {
                merged.Add(new ValuePart(literal.ToString(), IsSecret: false));
                literal.Clear();
            }

            merged.Add(part);
        }

        if (literal.Length > 0 || merged.Count == 0)
        {
            merged.Add(new ValuePart(literal.ToString(), IsSecret: false));
        }

        return merged;
    }

    [GeneratedRegex(@"\{(?<resource>[a-zA-Z0-9-]+)\.(?<path>[a-zA-Z0-9.]+)\}")]
    private static partial Regex Placeholder();
}
