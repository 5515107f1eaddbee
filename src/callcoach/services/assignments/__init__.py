"""Practice assignments: given by a manager, a review's plan or the coaching loop's rule."""
