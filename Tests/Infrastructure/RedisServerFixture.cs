using System;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AkCache.Tests.Infrastructure;

/// <summary>One <see cref="RedisTestServer"/> shared by the test classes of <see cref="RedisCollection"/>.</summary>
public sealed class RedisServerFixture : IDisposable
{
    /// <summary>Starts the shared server and names it in the run's output, so that a reader knows what "real Redis" meant.</summary>
    public RedisServerFixture(IMessageSink diagnostics)
    {
        Server = RedisTestServer.Start();
        diagnostics.OnMessage(new DiagnosticMessage($"The '{RedisCollection.Name}' test collection runs against {Server.Description}"));
    }

    /// <summary>The shared server, started by <see cref="RedisTestServer.Start()"/>.</summary>
    public RedisTestServer Server { get; }

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
