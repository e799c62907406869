using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public class Service
{
    internal class Helpers
    {
        [CompilerGenerated]
        private static MemoizedMethod <AkCache>Private$Method0;

        [CompilerGenerated]
        private static Func<ValueTuple<int>, string> <AkCache>Private$Body1;

        private static string Private$Original(int id)
        {
            return Tracked(id);
        }

        private static string Tracked(int id)
        {
            Calls.Record("Helpers.Private");
            return "private " + id;
        }

        [DebuggerStepThrough]
        internal static string Private(int id)
        {
            MemoizedMethod memoizedMethod = <AkCache>Private$Method0 ?? (<AkCache>Private$Method0 = MemoizedMethod.Create("AssemblyToProcess.Service+Helpers.Private(System.Int32)", "<il-hash>", 0));
            KeyBuilder keyBuilder = memoizedMethod.BeginKey();
            keyBuilder.Add(id);
            return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>Private$Body1 ?? (<AkCache>Private$Body1 = Private$Invoke), default);
        }

        [CompilerGenerated]
        private static string Private$Invoke(ValueTuple<int> arguments)
        {
            return Private$Original(arguments.Item1);
        }
    }

    public int InstanceValue { get; set; }

    public static string CallPrivate(int id)
    {
        return Helpers.Private(id);
    }
}
