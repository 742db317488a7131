using Bookstore.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(RunningServices))]
[assembly: AssemblyFixture(typeof(PostgresServerCleanup))]
