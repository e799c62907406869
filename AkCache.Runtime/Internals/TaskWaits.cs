using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Internals;

internal static class TaskWaits
{
    /// <summary>
    /// Waits for <paramref name="task"/>, or stops waiting when the caller cancels; the awaited work
    /// itself goes on (it belongs to someone else, or to Redis). netstandard2.0 has no WaitAsync.
    /// </summary>
    public static async Task<T> WithCancellation<T>(this Task<T> task, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || task.IsCompleted)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(true), cancelled))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                // Observe a later failure of the abandoned task, so it is not reported as unobserved.
                _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return await task.ConfigureAwait(false);
    }
}
