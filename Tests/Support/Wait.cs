using System;
using System.Diagnostics;
using System.Threading;
using Xunit;

namespace AkCache.Tests.Support;

/// <summary>Polling for a condition that another thread, process or server makes true, with a bound that fails the test.</summary>
public static class Wait
{
    /// <summary>Returns once <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="patience"/>.</summary>
    public static void Until(Func<bool> condition, string what, TimeSpan patience)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < patience, $"Not within {patience.TotalSeconds} s: {what}.");
            Thread.Sleep(10);
        }
    }
}
