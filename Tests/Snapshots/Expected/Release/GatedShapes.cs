using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class GatedShapes
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>UntilCancelledAsync$Method0;

    [CompilerGenerated]
    private static Func<(int, Action, CancellationToken), Task<int>> <AkCache>UntilCancelledAsync$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>GatedAsync$Method2;

    [CompilerGenerated]
    private static Func<(int, Action, Task, CancellationToken), Task<int>> <AkCache>GatedAsync$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Gated$Method4;

    [CompilerGenerated]
    private static Func<(int, Action, Task, CancellationToken), int> <AkCache>Gated$Body5;

    private static async Task<int> UntilCancelledAsync$Original(int value, Action started, CancellationToken cancellationToken)
    {
        Calls.Record("UntilCancelledAsync");
        started();
        await Task.Delay(-1, cancellationToken);
        return value;
    }

    private static async Task<int> GatedAsync$Original(int value, Action started, Task gate, CancellationToken cancellationToken)
    {
        Calls.Record("GatedAsync");
        started();
        await gate.WaitAsync(cancellationToken);
        return value;
    }

    private static int Gated$Original(int value, Action started, Task gate, CancellationToken cancellationToken)
    {
        Calls.Record("Gated");
        started();
        gate.Wait(cancellationToken);
        return value;
    }

    [DebuggerStepThrough]
    public static Task<int> UntilCancelledAsync(int value, Action started, CancellationToken cancellationToken)
    {
        MemoizedMethod memoizedMethod = <AkCache>UntilCancelledAsync$Method0 ?? (<AkCache>UntilCancelledAsync$Method0 = MemoizedMethod.Create("AssemblyToProcess.GatedShapes.UntilCancelledAsync(System.Int32,System.Action,System.Threading.CancellationToken)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), (value, started, cancellationToken), <AkCache>UntilCancelledAsync$Body1 ?? (<AkCache>UntilCancelledAsync$Body1 = UntilCancelledAsync$Invoke), cancellationToken);
    }

    [CompilerGenerated]
    private static Task<int> UntilCancelledAsync$Invoke((int, Action, CancellationToken) arguments)
    {
        return UntilCancelledAsync$Original(arguments.Item1, arguments.Item2, arguments.Item3);
    }

    [DebuggerStepThrough]
    public static Task<int> GatedAsync(int value, Action started, Task gate, CancellationToken cancellationToken)
    {
        MemoizedMethod memoizedMethod = <AkCache>GatedAsync$Method2 ?? (<AkCache>GatedAsync$Method2 = MemoizedMethod.Create("AssemblyToProcess.GatedShapes.GatedAsync(System.Int32,System.Action,System.Threading.Tasks.Task,System.Threading.CancellationToken)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), (value, started, gate, cancellationToken), <AkCache>GatedAsync$Body3 ?? (<AkCache>GatedAsync$Body3 = GatedAsync$Invoke), cancellationToken);
    }

    [CompilerGenerated]
    private static Task<int> GatedAsync$Invoke((int, Action, Task, CancellationToken) arguments)
    {
        return GatedAsync$Original(arguments.Item1, arguments.Item2, arguments.Item3, arguments.Item4);
    }

    [DebuggerStepThrough]
    public static int Gated(int value, Action started, Task gate, CancellationToken cancellationToken)
    {
        MemoizedMethod memoizedMethod = <AkCache>Gated$Method4 ?? (<AkCache>Gated$Method4 = MemoizedMethod.Create("AssemblyToProcess.GatedShapes.Gated(System.Int32,System.Action,System.Threading.Tasks.Task,System.Threading.CancellationToken)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (value, started, gate, cancellationToken), <AkCache>Gated$Body5 ?? (<AkCache>Gated$Body5 = Gated$Invoke), cancellationToken);
    }

    [CompilerGenerated]
    private static int Gated$Invoke((int, Action, Task, CancellationToken) arguments)
    {
        return Gated$Original(arguments.Item1, arguments.Item2, arguments.Item3, arguments.Item4);
    }
}
