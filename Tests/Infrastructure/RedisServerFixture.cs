using System;
using Xunit;

namespace AkCache.Tests.Infrastructure;

/// <summary>One <see cref="RedisTestServer"/> shared by the test classes of <see cref="RedisCollection"/>.</summary>
public sealed class RedisServerFixture : IDisposable
{
    /// <summary>The shared server, started by <see cref="RedisTestServer.Start"/>.</summary>
    public RedisTestServer Server { get; } = RedisTestServer.Start();

    /// <inheritdoc />
    public void Dispose() => Server.Dispose();
}

/// <summary>Test classes marked <c>[Collection(RedisCollection.Name)]</c> share one server and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "redis";
}
