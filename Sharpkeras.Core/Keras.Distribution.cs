using Sharpkeras.Distribution;

namespace Sharpkeras;

public static partial class Keras
{
    /// <summary>
    /// The active distribution of training over processes (Keras's <c>keras.distribution</c>):
    /// <c>Keras.Distribution.SetDistribution(new DataParallel())</c> before building the model.
    /// </summary>
    public static class Distribution
    {
        private static DistributionStrategy? _current;

        /// <summary>The active distribution, or null when training runs in this process alone.</summary>
        public static DistributionStrategy? Current => Volatile.Read(ref _current);

        /// <summary>Makes <paramref name="distribution"/> the active distribution (null: none) for every later <c>Fit</c>/<c>Evaluate</c>.</summary>
        /// <param name="distribution">A <see cref="DataParallel"/>, or null to train in this process alone.</param>
        public static void SetDistribution(DistributionStrategy? distribution) => Volatile.Write(ref _current, distribution);
    }
}
