DROP TABLE axiomod_dead_letters;
DROP TABLE axiomod_outbox;
