using System;
using AkCache.Internals.Distributed;
using StackExchange.Redis;
using Xunit;

// The exceptions are built from the reply's text alone, as the classification reads them; the
// constructors that also take the command's flags are marked preferred, not needed here.
#pragma warning disable CS0618

namespace AkCache.Tests.Runtime.Distributed;

/// <summary>The classification of error replies (RedisFailures), on the replies' exact wordings of Redis 6 and 7.</summary>
public sealed class RedisFailuresTests
{
    [Theory]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value", false, "WrongType")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value", true, "WrongType")]
    [InlineData("ERR Error running script (call to f_3c1f): @user_script:2: WRONGTYPE Operation against a key holding the wrong kind of value", true, "WrongType")]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'.", true, "WritesRefused")]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'. script: 0b1f, on @user_script:13.", true, "WritesRefused")]
    [InlineData("READONLY You can't write against a read only replica.", true, "WritesRefused")]
    [InlineData("ERR Error running script (call to f_9a): @user_script:13: @user_script: 13: -READONLY You can't write against a read only replica.", true, "WritesRefused")]
    [InlineData("NOPERM this user has no permissions to run the 'set' command", true, "WritesRefused")]
    [InlineData("NOPERM this user has no permissions to run the 'get' command", false, "Transport")]
    [InlineData("ERR The user executing the script can't run this command or subcommand script: 828a, on @user_script:14.", true, "WritesRefused")]
    [InlineData("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.", true, "WritesRefused")]
    [InlineData("NOREPLICAS Not enough good replicas to write.", true, "WritesRefused")]
    [InlineData("OOMX not a code of Redis", true, "Transport")]
    [InlineData("LOADING Redis is loading the dataset in memory", false, "Transport")]
    [InlineData("LOADING Redis is loading the dataset in memory", true, "Transport")]
    [InlineData("NOAUTH Authentication required.", true, "Transport")]
    [InlineData("ERR some message that quotes WRONGTYPE later", false, "Transport")]
    public void Error_replies_are_classified_by_their_code(string reply, bool writes, string expected) =>
        Assert.Equal(expected, RedisFailures.Classify(new RedisServerException(reply), writes).ToString());

    [Fact]
    public void Transport_failures_are_transport_whatever_the_command()
    {
        Assert.Equal(RedisFailureKind.Transport, RedisFailures.Classify(new RedisConnectionException(ConnectionFailureType.SocketFailure, "OOM in a socket message"), writes: true));
        Assert.Equal(RedisFailureKind.Transport, RedisFailures.Classify(new RedisTimeoutException("Timeout performing SET", CommandStatus.Sent), writes: true));
        Assert.Equal(RedisFailureKind.Transport, RedisFailures.Classify(new TimeoutException("READONLY"), writes: true));
    }

    [Theory]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'.", "maxmemory")]
    [InlineData("READONLY You can't write against a read only replica.", "primary")]
    [InlineData("NOPERM this user has no permissions to run the 'set' command", "ACL user")]
    [InlineData("ERR The user executing the script can't run this command or subcommand script: 1, on @user_script:14.", "ACL user")]
    [InlineData("MISCONF Redis is configured to save RDB snapshots", "snapshot")]
    [InlineData("NOREPLICAS Not enough good replicas to write.", "replicas")]
    public void Each_refusal_of_writes_names_its_fix(string reply, string fixMentions) =>
        Assert.Contains(fixMentions, RedisFailures.FixForRefusedWrites(new RedisServerException(reply)));
}
