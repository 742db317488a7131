using System.Text.Json.Nodes;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Publishing;

/// <summary>Aspire's own manifest publisher on the AppHost (`--publisher manifest --output-path FILE`), run as a person runs it.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bookstore-manifest-").FullName;

    private static string SchemaPath => Command.SharedSchema("aspire-8.0.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_manifest_validates_against_aspires_schema()
    {
        var manifest = Path.Combine(_directory, "aspire-manifest.json");
        var (exitCode, output) = await Command.AppHostAsync("--publisher", "manifest", "--output-path", manifest);
        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(SchemaPath), $"The Aspire manifest schema is missing: {SchemaPath} (shared/ must stand beside the repository).");

        // ajv (npm, installed by scripts/test.sh) validates draft-07 schemas such as Aspire's.
        var (valid, errors) = await Command.NodeScriptAsync("validate-json-schema.mjs", [SchemaPath, manifest]);

        Assert.True(valid == 0, errors);
    }

    [Fact]
    public async Task The_manifest_says_what_a_deployment_needs()
    {
        var manifest = Path.Combine(_directory, "out", "aspire-manifest.json");
        var (exitCode, output) = await Command.AppHostAsync("--publisher", "manifest", "--output-path", manifest);
        Assert.True(exitCode == 0, output);

        var resources = JsonNode.Parse(await File.ReadAllTextAsync(manifest, TestContext.Current.CancellationToken))!["resources"]!;
        var recommendations = resources["recommendations"]!;
        var marketplace = resources["marketplace"]!;
        Assert.Equal("project.v0", (string?)recommendations["type"]);
        Assert.Equal("http2", (string?)recommendations["bindings"]!["http"]!["transport"]);
        Assert.Null(recommendations["bindings"]!["http"]!["external"]);
        Assert.True((bool?)marketplace["bindings"]!["http"]!["external"]);
        Assert.Equal("{recommendations.bindings.http.url}", (string?)marketplace["env"]!["services__recommendations__http__0"]);
        var projectPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(manifest)!, (string)recommendations["path"]!));
        Assert.Equal(Path.Combine(RepoPaths.Root, "Bookstore.Recommendations", "Bookstore.Recommendations.csproj"), projectPath);

        // Publishing always has PostgreSQL: the server with its data volume, the database, a secret password with no value.
        var postgres = resources["postgres"]!;
        Assert.Equal("container.v0", (string?)postgres["type"]);
        Assert.Equal("bookstore/postgres:15", (string?)postgres["image"]);
        Assert.Equal("/var/lib/postgresql/data", (string?)postgres["volumes"]![0]!["target"]);
        Assert.Equal("{postgres-password.value}", (string?)postgres["env"]!["POSTGRES_PASSWORD"]);
        Assert.Equal("{postgres.connectionString};Database=catalog", (string?)resources["catalog"]!["connectionString"]);
        Assert.True((bool?)resources["postgres-password"]!["inputs"]!["value"]!["secret"]);
        Assert.Equal("{catalog.connectionString}", (string?)recommendations["env"]!["ConnectionStrings__catalog"]);
        Assert.Null(marketplace["env"]!["ConnectionStrings__catalog"]);
    }
}
