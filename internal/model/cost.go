package model

// CostModel is kpgen's whole pricing model: what one customer managed key
// costs per month in the steady state. Figures are AWS KMS list prices in
// us-east-1; request charges depend on traffic and are not estimated.
type CostModel struct {
	// KeyMonth is the fee per customer managed key per month. Each
	// multi-Region replica is billed as a key of its own.
	KeyMonth float64
	// RotationMonth is what each of the first BilledRotations rotations adds
	// to a key's monthly fee; later rotations add nothing.
	RotationMonth   float64
	BilledRotations int
}

// Prices is the cost model kpgen uses.
var Prices = CostModel{
	KeyMonth:        1.00,
	RotationMonth:   1.00,
	BilledRotations: 2,
}

// KeyMonthly is the steady-state monthly fee of one key (primary or replica):
// the key fee plus the billed rotations when the key rotates automatically.
func (c CostModel) KeyMonthly(k *Key) float64 {
	fee := c.KeyMonth
	if k.RotationDays > 0 && k.CanRotate() {
		fee += c.RotationMonth * float64(c.BilledRotations)
	}
	return fee
}

// Monthly is the steady-state monthly fee of a key instance with its
// replicas.
func (c CostModel) Monthly(k *Key) float64 {
	return c.KeyMonthly(k) * float64(len(k.Regions))
}
