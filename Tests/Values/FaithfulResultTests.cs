using System;
using System.Collections.Generic;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Values;

/// <summary>
/// Every result type of TestWorker/Results.cs, stored by one process and read by another through
/// the collection's Redis, and read back from the memory layer with Redis unreachable: each comes
/// back equal in every respect (<see cref="DeepEquality"/>), or is refused: returned, not cached,
/// one warning naming the member and the fix. Never different.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class FaithfulResultTests
{
    private static readonly string[] Refused = { "SubclassInList", "SubclassMember", "ObjectHoldingUserType", "CustomComparer", "ObjectColumnTable" };

    private readonly RedisTestServer _server;

    public FaithfulResultTests(RedisServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public void A_second_process_reads_every_result_back_equal_or_computes_the_refused_ones()
    {
        var prefix = "faithful" + Guid.NewGuid().ToString("N").Substring(0, 8);
        var first = RunWorker(prefix, "--results");
        var second = RunWorker(prefix, "--results");

        var names = Names(first);
        Assert.True(names.Count >= 48, $"only {names.Count} result types:\n{first}");
        Assert.All(new[] { first, second }, run => Assert.Empty(Lines(run, "DIFFERENT ").Concat(Lines(run, "ERROR "))));
        Assert.Equal(names.Count, Lines(second, "SAME ").Count());

        // The second process computed exactly the refused results, and was warned once about each.
        var computedAgain = Lines(second, "COMPUTED ").Select(l => l.Split(' ')[1]).OrderBy(n => n).ToArray();
        Assert.Equal(Refused.OrderBy(n => n).ToArray(), computedAgain);
        foreach (var name in Refused)
        {
            Assert.Single(second.Error.Split('\n'), l => l.Contains($"TestWorker.Results.{name}()") && l.Contains("is not cached"));
        }
    }

    [Fact]
    public void The_memory_layer_returns_every_result_equal_or_computes_the_refused_ones_again()
    {
        var run = RunWorker("memory" + Guid.NewGuid().ToString("N").Substring(0, 8), "--results", "--memory-only", "--twice");

        Assert.Empty(Lines(run, "DIFFERENT ").Concat(Lines(run, "ERROR ")));
        var computed = Lines(run, "COMPUTED ").Select(l => l.Split(' ')).ToDictionary(p => p[1], p => int.Parse(p[2]));
        Assert.True(computed.Count >= 48, run.ToString());
        Assert.All(computed, pair => Assert.Equal(Refused.Contains(pair.Key) ? 2 : 1, pair.Value));
    }

    /// <summary>
    /// TestWorker/Arguments.cs: arguments that differ in one member each (a private setter, an
    /// init-only property, a subclass's field, decimal scale, a DataTable cell, the type in an object
    /// member) each get their own result; a second process computes none of them.
    /// </summary>
    [Fact]
    public void Arguments_differing_in_one_member_get_their_own_results_and_equal_ones_share_across_processes()
    {
        var prefix = "arguments" + Guid.NewGuid().ToString("N").Substring(0, 8);
        var first = RunWorker(prefix, "--arguments");
        var second = RunWorker(prefix, "--arguments");

        var cases = Lines(first, "SAME ").Count();
        Assert.True(cases >= 18, first.ToString());
        Assert.Empty(Lines(first, "DIFFERENT ").Concat(Lines(second, "DIFFERENT ")));
        Assert.Equal(cases, Lines(first, "COMPUTED ").Count(l => l.EndsWith(" 1", StringComparison.Ordinal)));
        Assert.Equal(cases, Lines(second, "SAME ").Count());
        Assert.Empty(Lines(second, "COMPUTED "));
    }

    private ProcessRunner.Result RunWorker(string prefix, params string[] arguments) => WorkerProcesses.RunToEnd(_server.Url, prefix, arguments);

    private static IEnumerable<string> Lines(ProcessRunner.Result run, string start) =>
        run.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(start, StringComparison.Ordinal));

    private static List<string> Names(ProcessRunner.Result run) =>
        Lines(run, "SAME ").Concat(Lines(run, "DIFFERENT ")).Concat(Lines(run, "ERROR ")).Select(l => l.Split(' ', ':')[1]).ToList();
}
