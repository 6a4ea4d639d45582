namespace Sharpkeras;

public static partial class Keras
{
    public static partial class Config
    {
        private static Sharpkeras.DTypePolicy? _dtypePolicy;

        /// <summary>
        /// Sets the dtype policy of every layer created afterwards (Keras's <c>keras.config.set_dtype_policy</c>):
        /// <c>"mixed_bfloat16"</c> or <c>"mixed_float16"</c> for mixed precision (weights float32, computation in the
        /// 16-bit type, losses and metrics float32), <c>"float32"</c> to go back. Layers already created keep theirs.
        /// Under <c>"mixed_float16"</c>, <c>Compile</c> wraps the optimizer in a <see cref="Optimizers.LossScaleOptimizer"/>.
        /// </summary>
        /// <param name="policy">A policy name; see <see cref="Sharpkeras.DTypePolicy.ValidNames"/>.</param>
        /// <exception cref="ArgumentException">The name is not a valid policy (the message lists the valid ones).</exception>
        public static void SetDTypePolicy(string policy)
        {
            ArgumentNullException.ThrowIfNull(policy);
            _dtypePolicy = new Sharpkeras.DTypePolicy(policy);
        }

        /// <summary>Sets the global dtype policy to a policy object.</summary>
        /// <param name="policy">The policy.</param>
        public static void SetDTypePolicy(Sharpkeras.DTypePolicy policy) =>
            _dtypePolicy = policy ?? throw new ArgumentNullException(nameof(policy));

        /// <summary>
        /// The global dtype policy (Keras's <c>keras.config.dtype_policy()</c>): the one last set with
        /// <see cref="SetDTypePolicy(string)"/>, or else the policy of <see cref="FloatX"/> ("float32").
        /// </summary>
        public static Sharpkeras.DTypePolicy DTypePolicy() => _dtypePolicy ?? new Sharpkeras.DTypePolicy(FloatX);

        /// <summary>Forgets the policy set with <see cref="SetDTypePolicy(string)"/>, so the default (from <see cref="FloatX"/>) applies again.</summary>
        internal static void ResetDTypePolicy() => _dtypePolicy = null;
    }
}
