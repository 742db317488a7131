using Bookstore.AppHost.Extensions;

namespace Bookstore.Tests.AppHost;

public sealed class RunScopedDashboardKeysTests
{
    [Fact]
    public void Each_run_gets_both_keys_of_its_own_after_the_given_arguments()
    {
        var first = RunScopedDashboardKeys.AddTo(["--TransportSecurity", "Plain"]);
        var second = RunScopedDashboardKeys.AddTo([]);

        Assert.Equal(["--TransportSecurity", "Plain"], first[..2]);
        Assert.Equal(4, first.Length);
        Assert.Matches("^--AppHost:OtlpApiKey=[0-9a-f]{32}$", first[2]);
        Assert.Matches("^--AppHost:DashboardApiKey=[0-9a-f]{32}$", first[3]);
        Assert.NotEqual(first[2], second[0]);
        Assert.NotEqual(first[3], second[1]);
    }

    [Fact]
    public void A_key_given_on_the_command_line_is_kept()
    {
        var args = RunScopedDashboardKeys.AddTo(["--AppHost:OtlpApiKey=mine"]);

        Assert.Equal("--AppHost:OtlpApiKey=mine", Assert.Single(args, arg => arg.Contains("OtlpApiKey", StringComparison.Ordinal)));
        Assert.Single(args, arg => arg.StartsWith("--AppHost:DashboardApiKey=", StringComparison.Ordinal));
    }
}
