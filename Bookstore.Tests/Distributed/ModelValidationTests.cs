using Bookstore.Hosting;
using Bookstore.Hosting.ApplicationModel;
using Bookstore.Hosting.Testing;

namespace Bookstore.Tests.Distributed;

/// <summary>A model that cannot run fails before anything starts, with a message that names the problem.</summary>
public sealed class ModelValidationTests
{
    private static readonly string Recommendations = new Projects.Bookstore_Recommendations().ProjectPath;
    private static readonly string Marketplace = new Projects.Bookstore_Marketplace().ProjectPath;

    [Fact]
    public void Duplicate_names_are_refused()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        builder.AddProject("recommendations", Recommendations);

        var exception = Assert.Throws<DistributedApplicationException>(() => builder.AddProject("recommendations", Marketplace));

        Assert.Contains("'recommendations'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("already exists", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Has Spaces")]
    [InlineData("9lives")]
    public void Invalid_names_are_refused(string name) =>
        Assert.Throws<DistributedApplicationException>(() => DistributedApplication.CreateBuilder([]).AddProject(name, Recommendations));

    [Fact]
    public void A_reference_to_a_resource_of_another_model_is_refused()
    {
        var other = DistributedApplication.CreateBuilder([]).AddProject("recommendations", Recommendations);
        var builder = DistributedApplication.CreateBuilder([]);
        builder.AddProject("marketplace", Marketplace).WithReference(other);

        var exception = Assert.Throws<DistributedApplicationException>(builder.Build);

        Assert.Equal("Resource 'marketplace' references 'recommendations', which is not part of this app model.", exception.Message);
    }

    [Fact]
    public void A_wait_for_cycle_is_refused_with_its_path()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        var a = builder.AddProject("a", Recommendations);
        var b = builder.AddProject("b", Marketplace).WaitFor(a);
        a.WaitFor(b);

        var exception = Assert.Throws<DistributedApplicationException>(builder.Build);

        Assert.StartsWith("WaitFor cycle: a -> b -> a.", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_project_path_that_does_not_exist_is_refused()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        builder.AddProject("ghost", "/nowhere/Ghost.csproj");

        var exception = Assert.Throws<DistributedApplicationException>(builder.Build);

        Assert.Equal("Resource 'ghost': project file '/nowhere/Ghost.csproj' does not exist.", exception.Message);
    }

    [Fact]
    public void Replicas_cannot_share_a_fixed_port()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        builder.AddProject("recommendations", Recommendations).WithHttpEndpoint(port: 5000, name: "fixed").WithReplicas(2);

        var exception = Assert.Throws<DistributedApplicationException>(builder.Build);

        Assert.Contains("fixed port 5000", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resource_that_fails_to_start_throws_at_once_with_its_logs()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>(cancellationToken: TestContext.Current.CancellationToken);
        builder.CreateResourceBuilder<ProjectResource>("recommendations").WithEnvironment("Shutdown__DrainTimeout", "-00:00:01");
        await using var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        var started = DateTime.UtcNow;

        var exception = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith("Resource 'recommendations' failed to start: replica recommendations-0 is Exited with code", exception.Message, StringComparison.Ordinal);
        Assert.Contains("must not be negative", exception.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(Hosting.Orchestration.ReplicaState.Waiting, app.GetReplicas("marketplace")[0].State);
    }

    [Fact]
    public async Task The_testing_builder_takes_the_apphosts_own_model()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["recommendations", "marketplace"], builder.Resources.Select(resource => resource.Name));
        var marketplace = builder.Resources[1];
        Assert.Equal("recommendations", Assert.Single(marketplace.AnnotationsOf<WaitAnnotation>()).Target.Name);
        Assert.True(marketplace.Endpoints().Single().IsExternal);
        Assert.Equal(EndpointTransport.Http2, builder.Resources[0].Endpoints().Single().Transport);
        Assert.True(builder.Options.IsTesting);
    }
}
