using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache;

namespace AssemblyToProcess;

/// <summary>
/// Bodies that the test holds in place: each says when it started and then waits for a gate the
/// test opens, or for its own cancellation token, so that a test orders callers without sleeping.
/// </summary>
public static class GatedShapes
{
    [Memoize]
    public static async Task<int> UntilCancelledAsync(int value, [NotKey] Action started, CancellationToken cancellationToken)
    {
        Calls.Record(nameof(UntilCancelledAsync));
        started();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return value;
    }

    [Memoize]
    public static async Task<int> GatedAsync(int value, [NotKey] Action started, [NotKey] Task gate, CancellationToken cancellationToken)
    {
        Calls.Record(nameof(GatedAsync));
        started();
        await gate.WaitAsync(cancellationToken);
        return value;
    }

    [Memoize]
    public static int Gated(int value, [NotKey] Action started, [NotKey] Task gate, CancellationToken cancellationToken)
    {
        Calls.Record(nameof(Gated));
        started();
        gate.Wait(cancellationToken);
        return value;
    }
}
