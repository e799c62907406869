using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace AkCache.Tests.SingleFlight;

/// <summary>Orders concurrent callers by what they have done (joined a flight, left a mark), never by sleeping.</summary>
internal static class Gates
{
    /// <summary>A wait this long means the behaviour under test is broken (a hang), not that the machine is slow.</summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > HangTimeout)
            {
                throw new TimeoutException($"The condition did not come true within {HangTimeout.TotalSeconds} s.");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>
    /// Starts <paramref name="call"/> and returns it once it has joined the flight of a caller that
    /// is computing the same key in this process: from then on it is committed to waiting for it.
    /// </summary>
    public static async Task<T> JoinedAsWaiterAsync<T>(Func<T> call)
    {
        var flights = AkCacheRuntime.State.Flights;
        var before = flights.WaitersJoined;
        var started = call();
        await UntilAsync(() => flights.WaitersJoined > before);
        return started;
    }
}
