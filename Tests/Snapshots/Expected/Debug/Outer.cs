using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Outer
{
    public static class Inner
    {
        [CompilerGenerated]
        private static MemoizedMethod <AkCache>Deep$Method0;

        [CompilerGenerated]
        private static Func<ValueTuple<int>, string> <AkCache>Deep$Body1;

        private static string Deep$Original(int id)
        {
            Calls.Record("Inner.Deep");
            return "deep " + id;
        }

        [DebuggerStepThrough]
        public static string Deep(int id)
        {
            MemoizedMethod memoizedMethod = <AkCache>Deep$Method0 ?? (<AkCache>Deep$Method0 = MemoizedMethod.Create("AssemblyToProcess.Outer+Inner.Deep(System.Int32)", "<il-hash>", 0));
            KeyBuilder keyBuilder = memoizedMethod.BeginKey();
            keyBuilder.Add(id);
            return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>Deep$Body1 ?? (<AkCache>Deep$Body1 = Deep$Invoke), default);
        }

        [CompilerGenerated]
        private static string Deep$Invoke(ValueTuple<int> arguments)
        {
            return Deep$Original(arguments.Item1);
        }
    }
}
