using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Internals;

internal static class TaskWaits
{
    /// <summary>
    /// Waits for <paramref name="task"/> at most <paramref name="milliseconds"/>: whether it completed (failed or
    /// not) by then; the task itself goes on. A cancellation by the caller propagates.
    /// </summary>
    public static async Task<bool> CompletesWithin(this Task task, int milliseconds, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }

#if NET8_0_OR_GREATER
        try
        {
            await task.WaitAsync(System.TimeSpan.FromMilliseconds(milliseconds), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (System.TimeoutException) when (!task.IsCompleted)
        {
            return false;
        }
        catch (System.Exception) when (task.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            // The task failed: its failure is the awaiting caller's to handle.
            return true;
        }
        catch (System.OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller stopped waiting: a later failure of the abandoned task is observed, not reported as unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }
#else
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = await Task.WhenAny(task, Task.Delay(milliseconds, stop.Token)).ConfigureAwait(false);
        stop.Cancel();
        if (first != task && cancellationToken.IsCancellationRequested)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return first == task;
#endif
    }

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
